using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Options;
using Orleans.Streaming.EventHubs;
using Orleans.Streams;
using OrleansExport.Silo.Api;

namespace OrleansExport.Silo.EventHubs;

/// <summary>
/// Reads upstream events from Event Hubs: each EventData body is one contract JSON event, routed to the
/// stream of its segment and partition (namespace <see cref="Constants.SegmentStreamNamespaceOfPartition"/>, key segmentId). A body
/// that is not a valid event is counted, logged with its reason, and routed to <see cref="MalformedStream"/>,
/// which nobody subscribes to, so it never blocks the events behind it. Events are checked against the
/// configured <c>Ingest:*</c> limits and the host's clock, as on <c>POST /api/events</c>.
/// </summary>
public sealed partial class SegmentEventDataAdapter(
    Orleans.Serialization.Serializer serializer,
    ILogger<SegmentEventDataAdapter> logger,
    IOptions<IngestOptions> ingestOptions,
    TimeProvider time)
    : EventHubDataAdapter(serializer)
{
    private readonly SegmentEventLimits _limits = ingestOptions.Value.ToLimits();

    public const string MalformedStreamNamespace = "segments-malformed";

    public static readonly StreamId MalformedStream = StreamId.Create(MalformedStreamNamespace, "malformed");

    public override StreamId GetStreamIdentity(EventData queueMessage)
    {
        if (SegmentEventParser.TryParse(queueMessage.EventBody.ToMemory().Span, _limits, time.GetUtcNow(), out var segmentEvent, out var reason))
        {
            return StreamId.Create(Constants.SegmentStreamNamespace, segmentEvent!.SegmentId);
        }

        // The reason names the field at fault, never the body's values.
        IngestMetrics.RecordMalformed();
        LogMalformedEventSkipped(queueMessage.SequenceNumber, queueMessage.EventBody.ToMemory().Length, reason);
        return MalformedStream;
    }

    /// <summary>Per partition: sequence numbers order one partition only, and the consumer compares the tokens of a stream.</summary>
    public override StreamPosition GetStreamPosition(string partition, EventData queueMessage)
    {
        var position = base.GetStreamPosition(partition, queueMessage);
        return position.StreamId.GetNamespace() == Constants.SegmentStreamNamespace
            ? new StreamPosition(StreamId.Create(Constants.SegmentStreamNamespaceOfPartition(partition), position.StreamId.GetKeyAsString()), position.SequenceToken)
            : position;
    }

    protected override IBatchContainer GetBatchContainer(EventHubMessage eventHubMessage)
    {
        var token = new EventHubSequenceTokenV2(eventHubMessage.Offset, eventHubMessage.SequenceNumber, 0);
        SegmentEventParser.TryParse(eventHubMessage.Payload, _limits, time.GetUtcNow(), out var segmentEvent, out _);
        return new SegmentEventBatchContainer(eventHubMessage.StreamId, token, segmentEvent);
    }

    /// <summary>Upstream writes contract JSON to the hub itself; Orleans stream producers are not its way in.</summary>
    public override EventData ToQueueMessage<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException("In the EventHubs profile, events reach the hub as contract JSON (POST /api/events or upstream producers), not through an Orleans stream producer.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a malformed event from Event Hubs (sequence number {SequenceNumber}, {Bytes} bytes): {Reason}")]
    private partial void LogMalformedEventSkipped(long sequenceNumber, int bytes, string? reason);
}

/// <summary>One upstream event read from Event Hubs, delivered to its segment's grain as a batch of one.</summary>
[GenerateSerializer, Immutable]
public sealed record SegmentEventBatchContainer(
    [property: Id(0)] StreamId StreamId,
    [property: Id(1)] EventHubSequenceTokenV2 Token,
    [property: Id(2)] SegmentEvent? Event) : IBatchContainer
{
    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() => Event switch
    {
        T item => [Tuple.Create(item, SequenceToken)],
        { } e when typeof(T) == typeof(SegmentEventBatch) => [Tuple.Create((T)(object)SegmentEventBatch.Encode(e.SegmentId, [e]), SequenceToken)],
        _ => [],
    };

    public bool ImportRequestContext() => false;
}
