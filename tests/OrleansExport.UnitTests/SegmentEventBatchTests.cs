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

    [Fact]
    public void AttributeNames_AreWrittenOncePerBatch_AndEveryEventStillGetsAllOfItsOwn()
    {
        var events = Enumerable.Range(0, 1000).Select(i => new SegmentEvent($"e{i}", "vip", $"p{i}", SegmentEventType.Joined, At,
            i % 2 == 0
                ? new Dictionary<string, string> { ["EmailAddress"] = $"u{i}@example.com", ["Tier"] = "gold" }
                : new Dictionary<string, string> { ["Tier"] = "silver", ["FirstName"] = $"F{i}", ["EmailAddress"] = $"u{i}@example.com" })).ToList();

        var batch = SegmentEventBatch.Encode("vip", events);
        var decoded = batch.Decode();

        var text = System.Text.Encoding.Latin1.GetString(batch.Encoded);
        Assert.Equal(1, CountOf(text, "EmailAddress"));
        Assert.Equal(1, CountOf(text, "FirstName"));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.Equal(events[i].Attributes!.OrderBy(a => a.Key), decoded[i].Attributes!.OrderBy(a => a.Key)));
    }

    [Fact]
    public void ABatchReferringToANameItNeverWrote_IsRefused()
    {
        var batch = SegmentEventBatch.Encode("vip",
            [new SegmentEvent("e1", "vip", "p1", SegmentEventType.Joined, At, new Dictionary<string, string> { ["Tier"] = "gold" })]);
        var encoded = batch.Encoded.ToArray();
        var tier = System.Text.Encoding.Latin1.GetString(encoded).IndexOf("Tier", StringComparison.Ordinal);
        encoded[tier - 2] = 3; // the name's number (0, a new name) becomes 3: a name the batch never wrote

        typeof(SegmentEventBatch).GetProperty(nameof(SegmentEventBatch.Encoded))!.SetValue(batch, encoded);

        var error = Assert.Throws<InvalidDataException>(() => batch.Decode());
        Assert.Contains("attribute name 3", error.Message);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
