using Orleans.Streams;

namespace OrleansExport.Silo.Api;

/// <summary>Where accepted events go: the segment streams, or the event hub in the EventHubs profile.</summary>
public interface ISegmentEventPublisher
{
    /// <summary>Returns once the events are durably enqueued as far as the profile allows.</summary>
    Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken);
}

/// <summary>Puts accepted events on the segment streams, one stream per segment, each message one encoded <see cref="SegmentEventBatch"/>.</summary>
/// <param name="writePreviousFormat">Batches in the form the version before reads (<c>Upgrade:WritePreviousFormats</c>), during a rolling upgrade.</param>
public sealed class SegmentEventPublisher(IClusterClient client, bool writePreviousFormat = false) : ISegmentEventPublisher
{
    private readonly byte _batchVersion = writePreviousFormat ? SegmentEventBatch.PreviousVersion : SegmentEventBatch.CurrentVersion;

    /// <summary>
    /// Most events per stream message: each message costs a delivery to every subscribed export and a
    /// call to each of its shards, so larger messages mean less work per event; but the stream copies each
    /// message several times on its way (queue, cache, delivery), and a message of typical events stays
    /// under the large-object threshold (85,000 bytes) at 1,024 of them: at 4,096, every copy landed on the
    /// large-object heap and ingest cost about a fifth more processor time per event.
    /// </summary>
    public const int EventsPerMessage = 1024;

    /// <summary>
    /// Cap on a message's estimated size. Memory streams keep messages in 1 MiB cache blocks and
    /// refuse a larger one; this leaves room for the estimate being low.
    /// </summary>
    public const int MaxMessageBytes = 512 * 1024;

    public async Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken)
    {
        var provider = client.GetStreamProvider(Constants.StreamProvider);
        var publishes = events.GroupBy(e => e.SegmentId, StringComparer.Ordinal).Select(async segment =>
        {
            var stream = provider.GetStream<SegmentEventBatch>(StreamId.Create(Constants.SegmentStreamNamespace, segment.Key));
            foreach (var message in Messages(segment))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await stream.OnNextAsync(SegmentEventBatch.Encode(segment.Key, message, _batchVersion));
            }
        });
        await Task.WhenAll(publishes);
    }

    /// <summary>Splits events into messages of at most <see cref="EventsPerMessage"/> events and about <see cref="MaxMessageBytes"/>.</summary>
    public static IEnumerable<List<SegmentEvent>> Messages(IEnumerable<SegmentEvent> events) =>
        SegmentEventPages.Split(events, EventsPerMessage, MaxMessageBytes);
}
