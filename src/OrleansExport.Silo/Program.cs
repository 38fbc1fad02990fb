using Microsoft.Extensions.Options;
using OrleansExport.Silo.Hosting;

try
{
    await using var app = SiloApp.Build(args);
    try
    {
        await app.StartAsync();
    }
    catch (Exception exception) when (exception is not OptionsValidationException)
    {
        // The host has logged the details; the operator gets one line and a non-zero exit.
        Console.Error.WriteLine($"OrleansExport cannot start: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
        return 1;
    }

    await app.WaitForShutdownAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    // Every setting is checked by a validator: one clear line, no stack trace; the operator fixes it and starts again.
    Console.Error.WriteLine($"OrleansExport cannot start: {string.Join(" ", exception.Failures)}");
    return 2;
}
