using Spectre.Console;
using Spectre.Console.Rendering;

namespace OrleansExport.Cli.Commands;

/// <summary>Table cells from plain text: nothing the API returns is read as Spectre markup or reaches the terminal as a control character.</summary>
public static class Cells
{
    public static IRenderable[] Of(params string[] values) => [.. values.Select(v => new Text(TerminalText.Clean(v)))];
}
