namespace OrleansExport;

/// <summary>
/// What a segment id and a profile id may be (contract section 1). A segment id names one stored state in every
/// storage: Azure Table storage maps <c>/ \ # ?</c> to <c>_</c>, so ids with them would share state.
/// </summary>
public static class IdRules
{
    public const int MaxSegmentIdLength = 128;
    public const int MaxProfileIdLength = 256;

    /// <summary>Why <paramref name="segmentId"/> is not a segment id (a sentence naming <paramref name="field"/>), or null.</summary>
    public static string? InvalidSegmentId(string? segmentId, string field = "segmentId")
    {
        if (string.IsNullOrEmpty(segmentId))
        {
            return $"'{field}' must not be empty";
        }

        if (segmentId.Length > MaxSegmentIdLength)
        {
            return $"'{field}' is longer than {MaxSegmentIdLength} characters";
        }

        return segmentId.All(IsSegmentIdChar)
            ? null
            : $"'{field}' may hold only ASCII letters, digits and - _ . : (no /, \\, #, ?, spaces or control characters)";
    }

    /// <summary>Why <paramref name="profileId"/> is not a profile id, or null.</summary>
    public static string? InvalidProfileId(string? profileId, string field = "profileId")
    {
        if (string.IsNullOrWhiteSpace(profileId))
        {
            return $"'{field}' must not be empty";
        }

        if (profileId.Length > MaxProfileIdLength)
        {
            return $"'{field}' is longer than {MaxProfileIdLength} characters";
        }

        return profileId.Any(char.IsControl) ? $"'{field}' must not hold control characters" : null;
    }

    private static bool IsSegmentIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';
}

/// <summary>Text from outside (ids, names) made safe for one log line: control characters (CR, LF, ESC ...) become '?'.</summary>
public static class LogText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
