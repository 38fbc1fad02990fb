using Spectre.Console;

namespace OrleansExport.Cli;

/// <summary>What the CLI writes to and reads from: the real console, or whatever a test passes in.</summary>
public sealed record CliHost(IAnsiConsole Out, TextWriter Output, TextWriter Error, TextReader Input, Func<string, string?> Environment)
{
    private const int WideOutput = 240;

    public static CliHost System()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // A pipe or a file has no width: do not wrap tables at the default 80 columns.
            console.Profile.Width = WideOutput;
        }

        return new CliHost(console, Console.Out, Console.Error, Console.In, global::System.Environment.GetEnvironmentVariable);
    }

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
        console.Profile.Width = WideOutput;
        return new CliHost(console, output, error, input ?? TextReader.Null, environment);
    }
}
