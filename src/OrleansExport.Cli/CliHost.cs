using Spectre.Console;

namespace OrleansExport.Cli;

/// <summary>What the CLI writes to and reads from: the real console, or whatever a test passes in.</summary>
public sealed record CliHost(IAnsiConsole Out, TextWriter Output, TextWriter Error, TextReader Input, Func<string, string?> Environment)
{
    public static CliHost System() =>
        new(AnsiConsole.Console, Console.Out, Console.Error, Console.In, global::System.Environment.GetEnvironmentVariable);

    /// <summary>Plain text into <paramref name="output"/> (no colours, no live redraws), for tests and pipes.</summary>
    public static CliHost Plain(TextWriter output, TextWriter error, Func<string, string?> environment, TextReader? input = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return new CliHost(console, output, error, input ?? TextReader.Null, environment);
    }
}
