namespace OrleansExport.Simulator;

/// <summary>
/// The simulator's email check, an RFC 5322 subset: one <c>@</c>, a dot-atom local part, a dotted domain,
/// no spaces, at most 254 characters. Quoted local parts and address literals are refused.
/// Deliberately its own copy, not the exporter's: the simulator stands for ActiveCampaign, and a
/// shared rule would make a bug in the exporter's validation invisible to every test.
/// </summary>
internal static class EmailRules
{
    public const int MaxLength = 254;
    private const int MaxLocalPartLength = 64;
    private const string LocalPartSymbols = "!#$%&'*+-/=?^_`{|}~.";

    /// <summary>Why <paramref name="email"/> is refused, or null when it is acceptable.</summary>
    public static string? FindProblem(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return "Email address is missing.";
        }

        if (email.Length > MaxLength)
        {
            return $"Email address is longer than {MaxLength} characters.";
        }

        int at = email.IndexOf('@');
        if (at < 0 || at != email.LastIndexOf('@'))
        {
            return "Email address must contain exactly one @.";
        }

        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        if (local.Length is 0 or > MaxLocalPartLength || !IsDotSeparated(local, IsLocalPartChar))
        {
            return "Email address has an invalid local part.";
        }

        if (domain.IndexOf('.') < 0 || !IsDotSeparated(domain, IsDomainChar) || domain[0] == '-' || domain[^1] == '-')
        {
            return "Email address has an invalid domain.";
        }

        return null;
    }

    public static bool IsValid(string? email) => FindProblem(email) is null;

    // No empty labels: rules out a leading or trailing dot and "..".
    private static bool IsDotSeparated(ReadOnlySpan<char> text, Func<char, bool> isAllowed)
    {
        if (text.IsEmpty || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c != '.' && !isAllowed(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLocalPartChar(char c) => char.IsLetterOrDigit(c) || LocalPartSymbols.Contains(c);

    private static bool IsDomainChar(char c) => char.IsLetterOrDigit(c) || c == '-';
}
