namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The email check applied before a contact is sent (and by the simulator before it accepts one):
/// a lite form of RFC 5322 that catches what makes ActiveCampaign reject a whole bulk import.
/// </summary>
public static class EmailRules
{
    private const int MaxLength = 254;
    private const int MaxLocalPartLength = 64;
    private const int MaxLabelLength = 63;

    /// <summary>
    /// True for exactly one '@', a local part of 1 to 64 characters, a domain of at least two
    /// dot-separated labels (ASCII letters, digits and inner hyphens, at most 63 each), no
    /// whitespace or control characters, and at most 254 characters in all.
    /// </summary>
    public static bool IsValid(string? email)
    {
        if (string.IsNullOrEmpty(email) || email.Length > MaxLength
            || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        var at = email.IndexOf('@');
        if (at <= 0 || at > MaxLocalPartLength || email.IndexOf('@', at + 1) >= 0)
        {
            return false;
        }

        var labels = email[(at + 1)..].Split('.');
        return labels.Length >= 2 && labels.All(IsValidDomainLabel);
    }

    private static bool IsValidDomainLabel(string label) =>
        label.Length is > 0 and <= MaxLabelLength
        && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
