using OrleansExport.Silo.Hosting;

try
{
    await using var app = SiloApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (InvalidSettingException exception)
{
    // One clear line, no stack trace: the operator fixes the setting and starts again.
    Console.Error.WriteLine($"OrleansExport cannot start: {exception.Message}");
    return 2;
}
