namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The email check applied before a contact is sent: the same RFC 5322 subset the simulator
/// applies before it accepts a bulk import, so that a contact passing here never makes a whole
/// import fail there. One <c>@</c>; a dot-atom local part of at most 64 characters; a domain
/// with a dot, of letters, digits and hyphens, not starting or ending with a hyphen; no empty
/// labels, no whitespace; at most 254 characters. Quoted local parts and address literals are refused.
/// </summary>
public static class EmailRules
{
    public const int MaxLength = 254;
    private const int MaxLocalPartLength = 64;
    private const string LocalPartSymbols = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>True when <paramref name="email"/> may be sent to ActiveCampaign.</summary>
    public static bool IsValid(string? email) => FindProblem(email) is null;

    /// <summary>Why <paramref name="email"/> would be refused, in words fit for a rejection record; null when it is acceptable.</summary>
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

        var at = email.IndexOf('@');
        if (at < 0 || at != email.LastIndexOf('@'))
        {
            return "Email address must contain exactly one @.";
        }

        var localPart = email.AsSpan(0, at);
        if (localPart.Length > MaxLocalPartLength || !IsDotSeparated(localPart, IsLocalPartChar))
        {
            return "Email address has an invalid local part.";
        }

        var domain = email.AsSpan(at + 1);
        if (!domain.Contains('.') || !IsDotSeparated(domain, IsDomainChar) || domain[0] == '-' || domain[^1] == '-')
        {
            return "Email address has an invalid domain.";
        }

        return null;
    }

    // Non-empty labels only: no leading or trailing dot, no "..".
    private static bool IsDotSeparated(ReadOnlySpan<char> text, Func<char, bool> isAllowed)
    {
        if (text.IsEmpty || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
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
