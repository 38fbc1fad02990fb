using System.Collections.Concurrent;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>Grants every permit at once and records the calls.</summary>
public sealed class RecordingPacer : IRequestPacer
{
    private readonly ConcurrentQueue<(string Hostname, RequestKind Kind)> acquired = new();
    private readonly ConcurrentQueue<(string Hostname, TimeSpan RetryAfter)> throttled = new();

    public IReadOnlyList<(string Hostname, RequestKind Kind)> Acquired => [.. acquired];

    public IReadOnlyList<(string Hostname, TimeSpan RetryAfter)> Throttled => [.. throttled];

    public ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
    {
        acquired.Enqueue((hostname, kind));
        return ValueTask.CompletedTask;
    }

    public ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        throttled.Enqueue((hostname, retryAfter));
        return ValueTask.CompletedTask;
    }
}
