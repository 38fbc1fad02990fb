using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using OrleansExport.Grains.Members;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.Silo.EventHubs;

/// <summary>
/// <c>POST /api/events</c> in the EventHubs profile: writes each accepted event to the hub as one CONTRACT
/// JSON body, and returns once the hub acknowledged every batch (so a 202 means durable). A profile's events
/// always go to the same partition (a stable hash of profileId), which keeps them in order; events of
/// different profiles may interleave across partitions, which newest-occurredAt-wins makes harmless.
/// Sending per partition, not per key, keeps a request to one send per partition and full batch.
/// </summary>
public sealed class EventHubSegmentEventPublisher(HostSettings settings) : ISegmentEventPublisher, IAsyncDisposable
{
    private readonly EventHubProducerClient _producer = new(settings.EventHub!.ConnectionString, settings.EventHub.Name);
    private string[]? _partitionIds;

    public async Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken)
    {
        var partitionIds = _partitionIds ??= await _producer.GetPartitionIdsAsync(cancellationToken);
        var sends = events
            .GroupBy(e => partitionIds[ProfileHash.Bucket(PartitionKeyOf(e), partitionIds.Length)])
            .Select(partition => SendAsync(partition.Key, partition, cancellationToken));
        await Task.WhenAll(sends);
    }

    /// <summary>What upstream producers should use as the partition key, too (docs/production.md).</summary>
    public static string PartitionKeyOf(SegmentEvent segmentEvent) =>
        segmentEvent.ProfileId is { Length: > 0 } profileId ? profileId : segmentEvent.SegmentId;

    private async Task SendAsync(string partitionId, IEnumerable<SegmentEvent> events, CancellationToken cancellationToken)
    {
        var options = new CreateBatchOptions { PartitionId = partitionId };
        var batch = await _producer.CreateBatchAsync(options, cancellationToken);
        try
        {
            foreach (var segmentEvent in events)
            {
                var data = new EventData(SegmentEventJson.Serialize(segmentEvent));
                if (batch.TryAdd(data))
                {
                    continue;
                }

                await _producer.SendAsync(batch, cancellationToken);
                batch.Dispose();
                batch = await _producer.CreateBatchAsync(options, cancellationToken);
                if (!batch.TryAdd(data))
                {
                    throw new InvalidOperationException($"Event {segmentEvent.EventId} is larger than an Event Hubs batch allows.");
                }
            }

            if (batch.Count > 0)
            {
                await _producer.SendAsync(batch, cancellationToken);
            }
        }
        finally
        {
            batch.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
