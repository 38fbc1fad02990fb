namespace OrleansExport.UnitTests;

public sealed class SegmentEventBatchTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 21, 0, 0, 123, TimeSpan.FromHours(2));

    [Fact]
    public void Decode_GivesBackEveryEvent_WithItsFieldsAttributesAndSnapshot_AsTheSameInstantInUtc()
    {
        SegmentEvent[] events =
        [
            new("e1", "vip", "p-1", SegmentEventType.Joined, At, new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["FirstName"] = "Ænne ✓" }),
            new("e2", "vip", "p-2", SegmentEventType.Left, At.AddTicks(1), null),
            new("s1", "vip", "", SegmentEventType.SnapshotStarted, At, null, SnapshotId: "snap-1"),
            new("e3", "vip", "p-3", SegmentEventType.Updated, At, new Dictionary<string, string>(), SnapshotId: "snap-1"),
        ];

        var batch = SegmentEventBatch.Encode("vip", events);
        var decoded = batch.Decode();

        Assert.Equal(4, batch.Count);
        Assert.Equal(events.Length, decoded.Count);
        for (var i = 0; i < events.Length; i++)
        {
            var (sent, got) = (events[i], decoded[i]);
            Assert.Equal((sent.EventId, sent.SegmentId, sent.ProfileId, sent.Type, sent.SnapshotId), (got.EventId, got.SegmentId, got.ProfileId, got.Type, got.SnapshotId));
            Assert.Equal(sent.OccurredAt, got.OccurredAt);
            Assert.Equal(TimeSpan.Zero, got.OccurredAt.Offset);
            Assert.Equal(sent.Attributes?.OrderBy(a => a.Key), got.Attributes?.OrderBy(a => a.Key));
        }
    }

    [Fact]
    public void Encode_RefusesAnEventOfAnotherSegment()
    {
        var error = Assert.Throws<ArgumentException>(() => SegmentEventBatch.Encode("vip",
            [new SegmentEvent("e1", "other", "p-1", SegmentEventType.Left, At, null)]));
        Assert.Contains("'other'", error.Message);
    }

    [Fact]
    public void Encode_TakesFewerBytesThanTheEventsAsJson()
    {
        var events = Enumerable.Range(0, 1000).Select(i => new SegmentEvent($"evt-{i:D8}", "vip", $"p-{i:D6}", SegmentEventType.Joined, At,
            new Dictionary<string, string> { ["EmailAddress"] = $"user{i}@example.com", ["Tier"] = "gold" })).ToList();

        var encoded = SegmentEventBatch.Encode("vip", events).Encoded.Length;

        Assert.True(encoded < System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(events).Length / 2, $"{encoded} bytes");
    }
}
