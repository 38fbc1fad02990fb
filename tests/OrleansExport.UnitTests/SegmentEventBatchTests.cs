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
            new("e3", "vip", "p-4", SegmentEventType.Joined, DateTimeOffset.MaxValue, null, SnapshotId: "snap-1"),
            new("e3", "vip", "p-5", SegmentEventType.Erased, DateTimeOffset.MinValue, null),
            new("e4", "vip", "p-5", SegmentEventType.Left, At, null, SnapshotId: "snap-2"),
        ];

        var batch = SegmentEventBatch.Encode("vip", events);
        var decoded = batch.Decode();

        Assert.Equal(7, batch.Count);
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
    public void ABackfillsOneEventId_IsWrittenOnce_AndItsCloseInstantsInAFewBytes()
    {
        const string backfillId = "backfill:0123456789abcdef0123456789abcdef";
        var events = Enumerable.Range(0, 1000).Select(i => new SegmentEvent(backfillId, "vip", $"p{i}", SegmentEventType.Joined, At.AddMilliseconds(i),
            new Dictionary<string, string> { ["EmailAddress"] = $"u{i}@example.com" })).ToList();

        var batch = SegmentEventBatch.Encode("vip", events);
        var decoded = batch.Decode();

        Assert.Equal(1, CountOf(System.Text.Encoding.Latin1.GetString(batch.Encoded), backfillId));
        Assert.Equal(1000, decoded.Count);
        Assert.All(decoded, (e, i) => Assert.Equal((backfillId, events[i].ProfileId, events[i].OccurredAt), (e.EventId, e.ProfileId, e.OccurredAt)));

        // Per event: head, a 3-byte tick difference, the profile id, attribute count and name number, the email.
        Assert.True(batch.Encoded.Length < 1000 * 32, $"{batch.Encoded.Length} bytes");
    }

    [Fact]
    public void ABatchInTheFullFormOfVersion2_IsStillRead()
    {
        // What shard journals written before version 3 hold: ticks in full, every event id and snapshot id written.
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)2);
            writer.Write("vip");
            writer.Write7BitEncodedInt(2);
            foreach (var (id, profile, ticks) in new[] { ("e1", "p-1", At.UtcTicks), ("e1", "p-2", At.UtcTicks - 5) })
            {
                writer.Write((byte)SegmentEventType.Joined);
                writer.Write(ticks);
                writer.Write(id);
                writer.Write(profile);
                writer.Write("snap-1");
                writer.Write7BitEncodedInt(1);
                writer.Write7BitEncodedInt(0);
                if (profile == "p-1")
                {
                    writer.Write("EmailAddress"); // a new name; the second event gives only its number
                }

                writer.Write($"{profile}@example.com");
            }
        }

        var batch = new SegmentEventBatch();
        typeof(SegmentEventBatch).GetProperty(nameof(SegmentEventBatch.Encoded))!.SetValue(batch, buffer.ToArray());

        var decoded = batch.Decode();

        Assert.Equal([("e1", "p-1", At, "snap-1"), ("e1", "p-2", At.AddTicks(-5), "snap-1")],
            decoded.Select(e => (e.EventId, e.ProfileId, e.OccurredAt, e.SnapshotId)));
        Assert.All(decoded, e => Assert.Equal($"{e.ProfileId}@example.com", e.Attributes!["EmailAddress"]));

        // And written for a silo of the version before, the same events come out as exactly those bytes.
        Assert.Equal(buffer.ToArray(), SegmentEventBatch.Encode("vip", decoded, SegmentEventBatch.PreviousVersion).Encoded);
    }

    [Fact]
    public void ASnapshotsOneId_IsWrittenOnce()
    {
        const string snapshotId = "snapshot-0123456789abcdef0123456789abcdef";
        var events = Enumerable.Range(0, 100).Select(i => new SegmentEvent($"e{i}", "vip", $"p{i}", SegmentEventType.Joined, At, null, snapshotId)).ToList();

        var batch = SegmentEventBatch.Encode("vip", events);

        Assert.Equal(1, CountOf(System.Text.Encoding.Latin1.GetString(batch.Encoded), snapshotId));
        Assert.All(batch.Decode(), e => Assert.Equal(snapshotId, e.SnapshotId));
    }

    [Fact]
    public void ThePreviousVersion_WritesEveryIdAndInstantInFull_AndReadsBackTheSame()
    {
        var events = Enumerable.Range(0, 10).Select(i => new SegmentEvent("backfill:1", "vip", $"p{i}", SegmentEventType.Joined, At.AddTicks(-i), null, "snap-1")).ToList();

        var batch = SegmentEventBatch.Encode("vip", events, SegmentEventBatch.PreviousVersion);

        Assert.Equal(SegmentEventBatch.PreviousVersion, batch.Encoded[0]);
        Assert.Equal(10, CountOf(System.Text.Encoding.Latin1.GetString(batch.Encoded), "backfill:1"));
        Assert.Equal(events.Select(e => (e.EventId, e.ProfileId, e.OccurredAt, e.SnapshotId)), batch.Decode().Select(e => (e.EventId, e.ProfileId, e.OccurredAt, e.SnapshotId)));
    }

    [Fact]
    public void AnInstantOutOfRange_IsRefusedAsCorrupt()
    {
        var batch = SegmentEventBatch.Encode("vip", [new SegmentEvent("e1", "vip", "p1", SegmentEventType.Left, DateTimeOffset.MaxValue, null)]);
        var encoded = batch.Encoded.ToArray();
        encoded[1 + 1 + 3 + 1 + 1] += 1; // the first instant's difference from zero, zigzag-encoded, turns negative: before the first instant

        typeof(SegmentEventBatch).GetProperty(nameof(SegmentEventBatch.Encoded))!.SetValue(batch, encoded);

        var error = Assert.Throws<InvalidDataException>(() => batch.Decode());
        Assert.Contains("out of range", error.Message);
    }

    [Theory]
    [InlineData(0x40)] // its event id
    [InlineData(0x80)] // its snapshot id
    public void AFirstEventThatRepeatsAnEarlierId_IsRefused(byte repeatFlag)
    {
        var batch = SegmentEventBatch.Encode("vip", [new SegmentEvent("e1", "vip", "p1", SegmentEventType.Left, At, null)]);
        var encoded = batch.Encoded.ToArray();
        encoded[1 + 1 + 3 + 1] |= repeatFlag; // version, "vip" (length and bytes), count: then the first event's head

        typeof(SegmentEventBatch).GetProperty(nameof(SegmentEventBatch.Encoded))!.SetValue(batch, encoded);

        var error = Assert.Throws<InvalidDataException>(() => batch.Decode());
        Assert.Contains("first event repeats", error.Message);
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
