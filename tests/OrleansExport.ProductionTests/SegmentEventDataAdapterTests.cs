using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Streaming.EventHubs;
using OrleansExport.Silo.EventHubs;

namespace OrleansExport.ProductionTests;

public sealed class SegmentEventDataAdapterTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private readonly SegmentEventDataAdapter _adapter = new(Serializer, NullLogger<SegmentEventDataAdapter>.Instance);

    private static readonly SegmentEvent Joined = new("e-1", "high-value", "p-000123", SegmentEventType.Joined,
        new DateTimeOffset(2026, 11, 28, 21, 0, 0, 123, TimeSpan.Zero), new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Tier"] = "gold" });

    [Fact]
    public void ContractBody_GoesToItsSegmentStream_AndComesOutAsTheSameEvent()
    {
        var data = Hub(SegmentEventJson.Serialize(Joined), sequenceNumber: 42);

        var position = _adapter.GetStreamPosition("partition-0", data);
        Assert.Equal(StreamId.Create(Constants.SegmentStreamNamespace, "high-value"), position.StreamId);

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
    public void OrleansProducers_AreRefused_BecauseTheHubCarriesContractJson()
    {
        Assert.Throws<NotSupportedException>(() => _adapter.ToQueueMessage(StreamId.Create("segments", "x"), new[] { Joined }, null, null));
    }

    private static EventData Hub(byte[] body, long sequenceNumber) =>
        Azure.Messaging.EventHubs.EventHubsModelFactory.EventData(new BinaryData(body), partitionKey: "p-000123", sequenceNumber: sequenceNumber, offsetString: sequenceNumber.ToString());
}
