using System.ComponentModel.DataAnnotations;

namespace OrleansExport.ActiveCampaign;

/// <summary>Settings of the ActiveCampaign client, bound from the <c>ActiveCampaign</c> configuration section.</summary>
public sealed class ActiveCampaignOptions : IValidatableObject
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
    public ActiveCampaignLimits Limits { get; set; } = new();

    /// <summary>The per-account circuit breaker (section <c>ActiveCampaign:CircuitBreaker</c>).</summary>
    public ActiveCampaignCircuitOptions CircuitBreaker { get; set; } = new();

    /// <summary>The suffixes in force, lowercase and without a leading dot.</summary>
    public IReadOnlyList<string> GetAllowedHostSuffixes() =>
        (AllowedHostSuffixes.Count > 0 ? AllowedHostSuffixes : DefaultAllowedHostSuffixes)
            .Select(suffix => HostnameRules.Normalize(suffix.Trim().TrimStart('.')))
            .ToArray();

    /// <summary>Validates <see cref="Limits"/>, <see cref="CircuitBreaker"/> and the suffixes; data annotations do not recurse into nested objects.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var result in ValidateNested(nameof(Limits), Limits).Concat(ValidateNested(nameof(CircuitBreaker), CircuitBreaker)))
        {
            yield return result;
        }

        foreach (var suffix in GetAllowedHostSuffixes())
        {
            if (suffix.Length == 0 || suffix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
            {
                yield return new ValidationResult(
                    $"AllowedHostSuffixes: '{suffix}' is not a host name suffix such as api-us1.com.",
                    [nameof(AllowedHostSuffixes)]);
            }
        }
    }

    private static IEnumerable<ValidationResult> ValidateNested(string name, object nested)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(nested, new ValidationContext(nested), results, validateAllProperties: true);
        return results.Select(result => new ValidationResult(
            $"{name}: {result.ErrorMessage}",
            result.MemberNames.Select(member => $"{name}.{member}")));
    }
}
