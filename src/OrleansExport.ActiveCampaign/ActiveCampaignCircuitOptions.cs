using System.ComponentModel.DataAnnotations;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The circuit breaker kept per account host name (section <c>ActiveCampaign:CircuitBreaker</c>). When
/// too many requests to one account fail within <see cref="SamplingDuration"/>, its requests stop for
/// <see cref="BreakDuration"/>: exports to it pause and say why instead of spending retries. Throttling
/// (429) is pacing, not failure, and never opens the circuit.
/// </summary>
public sealed class ActiveCampaignCircuitOptions
{
    /// <summary>Share of failed requests (5xx, 408, timeouts, dropped connections) that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Requests needed within <see cref="SamplingDuration"/> before the ratio counts.</summary>
    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 20;

    /// <summary>The window over which the failure ratio is measured.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses requests before it lets one trial request through.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
