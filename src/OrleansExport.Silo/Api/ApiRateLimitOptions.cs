using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Api;

/// <summary>
/// The HTTP API's rate limit (section <c>Api:RateLimit</c>): a token bucket per API key, and per client
/// address for calls without a valid key (so guessing keys is throttled too). Health probes are exempt.
/// </summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "Api:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per key.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a key may send at once after a quiet spell.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 200;
}

/// <summary>Checks the ranges of <see cref="ApiRateLimitOptions"/> at start (generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class ApiRateLimitOptionsValidator : IValidateOptions<ApiRateLimitOptions>;
