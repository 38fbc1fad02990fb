using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.Streaming.EventHubs;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.EventHubs;

namespace OrleansExport.ProductionTests;

public sealed class SegmentEventDataAdapterTests
{
    private static readonly Serializer Serializer = TestSerializer.Instance;
    private static readonly SegmentEvent Joined = new("e-1", "high-value", "p-000123", SegmentEventType.Joined,
        new DateTimeOffset(2026, 11, 28, 21, 0, 0, 123, TimeSpan.Zero), new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Tier"] = "gold" });

    private readonly SegmentEventDataAdapter _adapter = Adapter(new IngestOptions(), new FakeTimeProvider(Joined.OccurredAt));

    private static SegmentEventDataAdapter Adapter(IngestOptions options, TimeProvider time) =>
        new(Serializer, NullLogger<SegmentEventDataAdapter>.Instance, Microsoft.Extensions.Options.Options.Create(options), time);

    [Fact]
    public void ContractBody_GoesToItsSegmentStream_AndComesOutAsTheSameEvent()
    {
        var data = Hub(SegmentEventJson.Serialize(Joined), sequenceNumber: 42);

        var position = _adapter.GetStreamPosition("partition-0", data);
        Assert.Equal(StreamId.Create("segments.partition-0", "high-value"), position.StreamId);
        Assert.Matches(Constants.SegmentStreamNamespacePattern, position.StreamId.GetNamespace());
        Assert.DoesNotMatch(Constants.SegmentStreamNamespacePattern, SegmentEventDataAdapter.MalformedStreamNamespace);

        // The provider's own path: into its cache, then out to the subscribers.
        var cached = _adapter.FromQueueMessage(position, data, DateTime.UtcNow, size => new ArraySegment<byte>(new byte[size]));
        var container = Assert.IsType<SegmentEventBatchContainer>(_adapter.GetBatchContainer(ref cached));
        var (delivered, token) = Assert.Single(container.GetEvents<SegmentEvent>());
        Assert.Equal(Joined with { Attributes = null }, delivered with { Attributes = null });
        Assert.Equal(Joined.Attributes, delivered.Attributes);
        Assert.Equal(42, ((EventHubSequenceTokenV2)token).SequenceNumber);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"eventId\":\"e-2\",\"segmentId\":\"high-value\",\"type\":\"joined\"}")]
    [InlineData("[1,2,3]")]
    public void MalformedBody_GoesToTheStreamNobodyReads(string body)
    {
        var streamId = _adapter.GetStreamIdentity(Hub(Encoding.UTF8.GetBytes(body), sequenceNumber: 7));
        Assert.Equal(SegmentEventDataAdapter.MalformedStream, streamId);
    }

    [Fact]
    public void TheHostClock_DecidesWhatIsTooFarAhead()
    {
        // Decades before the event: the event is 50 years ahead of this host's clock, whatever the wall clock says.
        var adapter = Adapter(new IngestOptions(), new FakeTimeProvider(Joined.OccurredAt.AddYears(-50)));

        Assert.Equal(SegmentEventDataAdapter.MalformedStream, adapter.GetStreamIdentity(Hub(SegmentEventJson.Serialize(Joined), sequenceNumber: 8)));
    }

    [Fact]
    public void TheConfiguredSkew_IsTheOneApplied()
    {
        var clock = new FakeTimeProvider(Joined.OccurredAt.AddMinutes(-30));
        var body = SegmentEventJson.Serialize(Joined);

        Assert.Equal(SegmentEventDataAdapter.MalformedStream, Adapter(new IngestOptions(), clock).GetStreamIdentity(Hub(body, sequenceNumber: 9)));
        var lenient = Adapter(new IngestOptions { MaxFutureSkew = TimeSpan.FromHours(1) }, clock);
        Assert.Equal(StreamId.Create(Constants.SegmentStreamNamespace, "high-value"), lenient.GetStreamIdentity(Hub(body, sequenceNumber: 9)));
    }

    [Fact]
    public void TheConfiguredAttributeBound_IsTheOneApplied()
    {
        var large = Joined with { Attributes = new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Notes"] = new string('x', 2000) } };
        var body = SegmentEventJson.Serialize(large);
        var clock = new FakeTimeProvider(Joined.OccurredAt);

        Assert.Equal(StreamId.Create(Constants.SegmentStreamNamespace, "high-value"), Adapter(new IngestOptions(), clock).GetStreamIdentity(Hub(body, sequenceNumber: 10)));
        var strict = Adapter(new IngestOptions { MaxEventAttributeBytes = 1024 }, clock);
        Assert.Equal(SegmentEventDataAdapter.MalformedStream, strict.GetStreamIdentity(Hub(body, sequenceNumber: 10)));
    }

    [Fact]
    public void OrleansProducers_AreRefused_BecauseTheHubCarriesContractJson()
    {
        Assert.Throws<NotSupportedException>(() => _adapter.ToQueueMessage(StreamId.Create("segments", "x"), new[] { Joined }, null, null));
    }

    private static EventData Hub(byte[] body, long sequenceNumber) =>
        Azure.Messaging.EventHubs.EventHubsModelFactory.EventData(new BinaryData(body), partitionKey: "p-000123", sequenceNumber: sequenceNumber, offsetString: sequenceNumber.ToString());
}
