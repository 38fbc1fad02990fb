namespace OrleansExport.Cli;

/// <summary>
/// Text from the API made safe for a terminal: control characters (ESC, CSI, BEL, CR ...) become '?', so an id or a
/// name cannot move the cursor, retitle the window or hide output.
/// </summary>
public static class TerminalText
{
    public static string Clean(string? text) =>
        string.IsNullOrEmpty(text) || !text.Any(char.IsControl)
            ? text ?? ""
            : string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
}
