using System.Text;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Decides which URLs an export's alert webhook may name: https on the standard port to a host name that passes the
/// same rules as a connection's (no IP literal, no look-alike or numeric name, no user name or password), without
/// the ActiveCampaign suffixes. With <see cref="ActiveCampaignOptions.AllowInsecureLoopback"/>, also
/// <c>http://127.0.0.1:port/...</c> (tests, local receivers). At delivery <see cref="HostAddressGuard"/> checks the addresses.
/// </summary>
public static class WebhookUrlRules
{
    public const int MaxLength = 2000;
    private const string Example = "https://hooks.example.com/orleans-export";

    /// <summary>Null when <paramref name="url"/> may be used, else what the user should fix.</summary>
    public static string? Validate(string url, ActiveCampaignOptions options)
    {
        if (url.Length > MaxLength)
        {
            return $"alertWebhook is at most {MaxLength} characters.";
        }

        if (!Ascii.IsValid(url) || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "alertWebhook may hold plain ASCII characters only, without spaces; internationalised host names are not allowed.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return $"alertWebhook must be an absolute https URL, for example {Example}.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "Remove the user name and password from alertWebhook: put a token in its path or query instead.";
        }

        if (uri.IsLoopback)
        {
            return options.AllowInsecureLoopback && HostnameRules.IsLoopbackHost(uri.Authority)
                ? null
                : "Local addresses (127.0.0.1:port, localhost:port) are allowed in alertWebhook only when ActiveCampaign:AllowInsecureLoopback is enabled.";
        }

        if (uri.Scheme != "https")
        {
            return $"alertWebhook must use https, for example {Example}.";
        }

        if (uri.HostNameType != UriHostNameType.Dns)
        {
            return $"IP addresses are not allowed in alertWebhook; use the receiver's host name, for example {Example}.";
        }

        if (!uri.IsDefaultPort)
        {
            return $"Remove the port ':{uri.Port}' from alertWebhook: webhooks are reached on the standard HTTPS port.";
        }

        return HostnameRules.FindHostNameProblem(uri.Host) is { } problem ? $"alertWebhook: {problem}" : null;
    }
}
