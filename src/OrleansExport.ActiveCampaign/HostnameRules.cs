using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Decides which host names a connection may point at. The API key is sent to that host, so
/// anything that could reach another host (an IP literal, a port, userinfo, a look-alike name)
/// is refused with a message that tells the user what to type instead.
/// </summary>
public static partial class HostnameRules
{
    private const int MaxHostnameLength = 253;
    private const int MaxLabelLength = 63;
    private const string Example = "youraccount.api-us1.com";
    private static readonly SearchValues<char> HostnameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-.");

    /// <summary><c>127.0.0.1:port</c>, <c>localhost:port</c> or <c>[::1]:port</c>, with a port from 1 to 65535.</summary>
    public static bool IsLoopbackHost(string hostname)
    {
        var match = LoopbackWithPort().Match(hostname);
        return match.Success && IsValidPort(match.Groups["port"].Value);
    }

    /// <summary>The canonical form used as the rate-limiter key and stored with a connection.</summary>
    public static string Normalize(string hostname) => hostname.ToLowerInvariant();

    /// <summary>Null when <paramref name="input"/> may be used as a connection's host name, else what the user should fix.</summary>
    public static string? Validate(string? input, ActiveCampaignOptions options)
    {
        if (string.IsNullOrEmpty(input))
        {
            return $"Enter the host name of your ActiveCampaign account, for example {Example}.";
        }

        if (SchemePrefix().Match(input) is { Success: true } scheme)
        {
            return $"Enter the host name only, without {scheme.Value} (for example {Example}).";
        }

        if (FindSyntaxProblem(input) is { } syntaxProblem)
        {
            return syntaxProblem;
        }

        var host = Normalize(input);
        if (IsLoopbackHost(host))
        {
            return options.AllowInsecureLoopback ? null : LoopbackNotAllowed;
        }

        if (host is "localhost" or "127.0.0.1" or "[::1]")
        {
            return options.AllowInsecureLoopback ? $"Add the port of the local server, for example {host}:5080." : LoopbackNotAllowed;
        }

        if (host.StartsWith('[') || host.Count(c => c == ':') > 1)
        {
            return IpNotAllowed;
        }

        if (host.Contains(':'))
        {
            return PortProblem(host, options);
        }

        return FindNameProblem(host) ?? FindSuffixProblem(host, options.GetAllowedHostSuffixes());
    }

    /// <summary>
    /// Null when <paramref name="host"/> is a plain DNS name (the rules of <see cref="Validate"/> without the port and
    /// suffix rules: no IP address, no look-alike or numeric name), else what to fix. For hosts other than ActiveCampaign's.
    /// </summary>
    public static string? FindHostNameProblem(string host)
    {
        if (host.StartsWith('[') || host.Contains(':'))
        {
            return IpNotAllowed;
        }

        return FindSyntaxProblem(host) ?? FindNameProblem(Normalize(host));
    }

    private const string LoopbackNotAllowed =
        $"Local addresses (127.0.0.1, localhost) are allowed only when ActiveCampaign:AllowInsecureLoopback is enabled; enter your account's host name, for example {Example}.";

    private const string IpNotAllowed = $"IP addresses are not allowed; enter your account's host name, for example {Example}.";

    private static string? FindSyntaxProblem(string input)
    {
        if (input.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "Remove the spaces (or other invisible characters) from the host name.";
        }

        if (input.Contains('@'))
        {
            return $"Remove the part before '@': enter the host name only, without a user name or password (for example {Example}).";
        }

        if (input.IndexOfAny(['/', '\\']) >= 0)
        {
            return $"Enter the host name only, without a path: remove everything from the first '/' (for example {Example}).";
        }

        if (input.Contains('?'))
        {
            return "Enter the host name only, without a query: remove everything from the '?'.";
        }

        if (input.Contains('#'))
        {
            return "Enter the host name only, without a fragment: remove everything from the '#'.";
        }

        if (!Ascii.IsValid(input))
        {
            return $"The host name contains non-ASCII characters; internationalised or look-alike names are not allowed. Type the plain host name, for example {Example}.";
        }

        return null;
    }

    private static string PortProblem(string host, ActiveCampaignOptions options)
    {
        var name = host[..host.IndexOf(':')];
        var port = host[(name.Length + 1)..];
        var loopbackName = name is "localhost" or "127.0.0.1";
        if (loopbackName && options.AllowInsecureLoopback)
        {
            return $"'{port}' is not a valid port: use a number from 1 to 65535, for example {name}:5080.";
        }

        return loopbackName
            ? LoopbackNotAllowed
            : $"Remove the port ':{port}': ActiveCampaign is always reached on the standard HTTPS port.";
    }

    private static string? FindNameProblem(string host)
    {
        if (host.EndsWith('.'))
        {
            return "Remove the dot at the end of the host name.";
        }

        if (host.Length > MaxHostnameLength)
        {
            return $"The host name is longer than {MaxHostnameLength} characters.";
        }

        var labels = host.Split('.');
        if (labels.Any(label => label.Length == 0))
        {
            return "The host name has an empty part: remove the leading dot or one of the two dots in a row.";
        }

        var invalidAt = host.AsSpan().IndexOfAnyExcept(HostnameChars);
        if (invalidAt >= 0)
        {
            return $"The host name contains '{host[invalidAt]}'; use only letters, digits, hyphens and dots.";
        }

        if (labels.Any(label => label.Length > MaxLabelLength))
        {
            return $"A part of the host name between dots is longer than {MaxLabelLength} characters.";
        }

        if (labels.Any(label => label.StartsWith('-') || label.EndsWith('-')))
        {
            return "A part of the host name between dots cannot start or end with a hyphen.";
        }

        if (LooksLikeIpAddress(host, labels))
        {
            return IpNotAllowed;
        }

        if (labels.Any(label => label.StartsWith("xn--", StringComparison.Ordinal)))
        {
            return $"Punycode names (parts starting with 'xn--') are not allowed, because they can imitate other names. Type the plain host name, for example {Example}.";
        }

        return null;
    }

    // Resolvers read "2130706433", "0x7f.1" and "0177.0.0.1" as IPv4 addresses, and URL parsers
    // treat any host whose last label is numeric as one.
    private static bool LooksLikeIpAddress(string host, string[] labels) =>
        IPAddress.TryParse(host, out _) || IsNumericLabel(labels[^1]) || labels.All(IsNumericLabel);

    private static bool IsNumericLabel(string label) =>
        label.All(char.IsAsciiDigit)
        || (label.StartsWith("0x", StringComparison.Ordinal) && label[2..].All(char.IsAsciiHexDigit));

    private static string? FindSuffixProblem(string host, IReadOnlyList<string> suffixes)
    {
        if (suffixes.Any(suffix => host.EndsWith("." + suffix, StringComparison.Ordinal)))
        {
            return null;
        }

        var alternatives = string.Join(" or ", suffixes.Select(suffix => "." + suffix));
        return suffixes.Contains(host)
            ? $"Enter your account's own host name, such as youraccount.{host}, not {host} alone."
            : $"The host name must end with {alternatives}: copy it from the API URL under Settings > Developer in ActiveCampaign.";
    }

    private static bool IsValidPort(string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535;

    [GeneratedRegex(@"^(127\.0\.0\.1|localhost|\[::1\]):(?<port>[0-9]{1,5})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LoopbackWithPort();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*://", RegexOptions.CultureInvariant)]
    private static partial Regex SchemePrefix();
}
