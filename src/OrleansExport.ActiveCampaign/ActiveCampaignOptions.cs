using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.ActiveCampaign;

/// <summary>Settings of the ActiveCampaign client, bound from the <c>ActiveCampaign</c> configuration section.</summary>
public sealed class ActiveCampaignOptions
{
    public const string SectionName = "ActiveCampaign";

    /// <summary>The host name suffixes used when <see cref="AllowedHostSuffixes"/> is left empty.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowedHostSuffixes = ["api-us1.com", "activehosted.com"];

    /// <summary>
    /// Host name suffixes a connection may point at (blocks requests to arbitrary hosts).
    /// Empty means <see cref="DefaultAllowedHostSuffixes"/>; configured entries replace the defaults.
    /// </summary>
    /// <remarks>
    /// Starts empty on purpose: configuration binding appends to a list's initial items, so a
    /// default list here could never be replaced. Read the effective list with
    /// <see cref="GetAllowedHostSuffixes"/>.
    /// </remarks>
    public List<string> AllowedHostSuffixes { get; set; } = [];

    /// <summary>When true, a connection may name <c>127.0.0.1:port</c> or <c>localhost:port</c>, reached over plain HTTP (simulator, tests).</summary>
    public bool AllowInsecureLoopback { get; set; }

    /// <summary>
    /// Public base URL at which ActiveCampaign reaches this service (https; http only to loopback with
    /// <see cref="AllowInsecureLoopback"/>). When set, each export registers a webhook on its list, posting to
    /// <c>{WebhookBaseUrl}/api/activecampaign/webhooks/{secret}</c>, and learns of unsubscribes within seconds.
    /// </summary>
    public string? WebhookBaseUrl { get; set; }

    /// <summary>Timeout of one HTTP attempt (the wait for a rate-limit permit is not included).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt for transient failures (408, 429, 5xx, timeouts, dropped connections).</summary>
    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>Base delay of the exponential, jittered retry backoff (used when the answer carries no Retry-After).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The account's rate and size limits (section <c>ActiveCampaign:Limits</c>).</summary>
    [ValidateObjectMembers]
    public ActiveCampaignLimits Limits { get; set; } = new();

    /// <summary>The per-account circuit breaker (section <c>ActiveCampaign:CircuitBreaker</c>).</summary>
    [ValidateObjectMembers]
    public ActiveCampaignCircuitOptions CircuitBreaker { get; set; } = new();

    /// <summary>The suffixes in force, lowercase and without a leading dot.</summary>
    public IReadOnlyList<string> GetAllowedHostSuffixes() =>
        (AllowedHostSuffixes.Count > 0 ? AllowedHostSuffixes : DefaultAllowedHostSuffixes)
            .Select(suffix => HostnameRules.Normalize(suffix.Trim().TrimStart('.')))
            .ToArray();
}

/// <summary>
/// Checks <see cref="ActiveCampaignOptions"/> at start: the ranges of its attributes and of its nested sections
/// (generated), and that every allowed suffix is a host name suffix.
/// </summary>
[OptionsValidator]
public sealed partial class ActiveCampaignOptionsValidator : IValidateOptions<ActiveCampaignOptions>;

/// <summary>A host name suffix is letters, digits, hyphens and dots: no scheme, path or port.</summary>
public sealed class AllowedHostSuffixesValidator : IValidateOptions<ActiveCampaignOptions>
{
    public ValidateOptionsResult Validate(string? name, ActiveCampaignOptions options)
    {
        var invalid = options.GetAllowedHostSuffixes()
            .Where(suffix => suffix.Length == 0 || suffix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            .Select(suffix => $"ActiveCampaign:AllowedHostSuffixes: '{suffix}' is not a host name suffix such as api-us1.com.")
            .ToList();
        return invalid.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(invalid);
    }
}

/// <summary><see cref="ActiveCampaignOptions.WebhookBaseUrl"/>: absent, or an absolute https URL (http to loopback in tests) without credentials, query or fragment.</summary>
public sealed class WebhookBaseUrlValidator : IValidateOptions<ActiveCampaignOptions>
{
    public ValidateOptionsResult Validate(string? name, ActiveCampaignOptions options) =>
        FindProblem(options) is { } problem ? ValidateOptionsResult.Fail($"ActiveCampaign:WebhookBaseUrl: {problem}") : ValidateOptionsResult.Success;

    private static string? FindProblem(ActiveCampaignOptions options)
    {
        if (string.IsNullOrEmpty(options.WebhookBaseUrl))
        {
            return null;
        }

        if (!Uri.TryCreate(options.WebhookBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return "must be an absolute https URL, such as https://orleans-export.example.com.";
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return "must not carry a user name, a password, a query or a fragment.";
        }

        return uri.Scheme == "http" && !(uri.IsLoopback && options.AllowInsecureLoopback)
            ? "must use https (http is allowed only to a loopback address with ActiveCampaign:AllowInsecureLoopback)."
            : null;
    }
}
