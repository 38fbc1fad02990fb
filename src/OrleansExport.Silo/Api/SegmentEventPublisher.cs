using Orleans.Streams;

namespace OrleansExport.Silo.Api;

/// <summary>Where accepted events go: the segment streams, or the event hub in the EventHubs profile.</summary>
public interface ISegmentEventPublisher
{
    /// <summary>Returns once the events are durably enqueued as far as the profile allows.</summary>
    Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken);
}

/// <summary>Puts accepted events on the segment streams, one stream per segment, in batches.</summary>
public sealed class SegmentEventPublisher(IClusterClient client) : ISegmentEventPublisher
{
    /// <summary>Events per stream message: large enough to amortise the per-message cost, small enough to keep messages modest.</summary>
    public const int EventsPerMessage = 1024;

    public async Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken)
    {
        var provider = client.GetStreamProvider(Constants.StreamProvider);
        var publishes = events.GroupBy(e => e.SegmentId, StringComparer.Ordinal).Select(async segment =>
        {
            var stream = provider.GetStream<SegmentEvent>(StreamId.Create(Constants.SegmentStreamNamespace, segment.Key));
            foreach (var chunk in segment.Chunk(EventsPerMessage))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await stream.OnNextBatchAsync(chunk);
            }
        });
        await Task.WhenAll(publishes);
    }
}
