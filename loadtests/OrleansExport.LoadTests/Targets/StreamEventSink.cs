using OrleansExport.Silo.Api;

namespace OrleansExport.LoadTests.Targets;

/// <summary>Publishes through the silo's own <see cref="SegmentEventPublisher"/>: what POST /api/events does after parsing.</summary>
internal sealed class StreamEventSink(SegmentEventPublisher publisher) : IEventSink
{
    public Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken) =>
        publisher.PublishAsync(events, cancellationToken);
}
