using System.Text;
using System.Text.Json;
using CsCheck;

namespace OrleansExport.UnitTests;

/// <summary>Hostile events are rejected with a reason, never with an exception; a fuzzer feeds it 110,000 generated inputs.</summary>
public sealed class SegmentEventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 21, 0, 0, TimeSpan.Zero);
    private static readonly SegmentEventLimits Limits = new(MaxAttributeBytes: 1024, MaxFutureSkew: TimeSpan.FromHours(1));

    private static string Event(string occurredAt = "2026-11-28T20:00:00Z", string attributes = """{"EmailAddress":"ann@example.com"}""") =>
        $$"""{"eventId":"e1","segmentId":"s","profileId":"p1","type":"joined","occurredAt":"{{occurredAt}}","attributes":{{attributes}}}""";

    private static (bool Ok, SegmentEvent? Event, string? Reason) Parse(string json) =>
        SegmentEventParser.TryParse(Encoding.UTF8.GetBytes(json), Limits, Now, out var e, out var reason) ? (true, e, reason) : (false, e, reason);

    [Fact]
    public void AttributesOverTheByteCap_AreRejected_AndAtTheCapAccepted()
    {
        // {"EmailAddress": value}: 12 bytes of name, so the value may take 1012 bytes (multi-byte characters count as bytes).
        var atCap = Parse(Event(attributes: $$"""{"EmailAddress":"{{new string('é', 506)}}"}"""));
        var overCap = Parse(Event(attributes: $$"""{"EmailAddress":"{{new string('é', 506)}}x"}"""));

        Assert.True(atCap.Ok, atCap.Reason);
        Assert.False(overCap.Ok);
        Assert.Contains("more than 1024 bytes", overCap.Reason);
    }

    [Fact]
    public void TimestampsFarInTheFuture_AreRejected()
    {
        var withinSkew = Parse(Event(occurredAt: "2026-11-28T21:59:59Z"));
        var beyondSkew = Parse(Event(occurredAt: "2026-11-28T22:00:01Z"));
        var farFuture = Parse(Event(occurredAt: "9999-12-31T23:59:59Z"));

        Assert.True(withinSkew.Ok, withinSkew.Reason);
        Assert.Contains("ahead of the server clock", beyondSkew.Reason);
        Assert.Contains("ahead of the server clock", farFuture.Reason);
    }

    [Theory]
    [InlineData("""{"eventId":"\ud800","segmentId":"s","profileId":"p","type":"left","occurredAt":"2026-11-28T20:00:00Z"}""", "not valid Unicode")]
    [InlineData("""{"eventId":"e","segmentId":"s","profileId":"p","type":"joined","occurredAt":"2026-11-28T20:00:00Z","attributes":{"\udfff":"x"}}""", "not valid Unicode")]
    [InlineData("""{"eventId":"e","segmentId":"s","profileId":"p","type":"joined","occurredAt":"2026-11-28T20:00:00Z","attributes":[]}""", "JSON object")]
    [InlineData("""{"eventId":7,"segmentId":"s","profileId":"p","type":"left","occurredAt":"2026-11-28T20:00:00Z"}""", "must be a string")]
    [InlineData("""{"eventId":"e","segmentId":"s","profileId":"p","type":"joined","occurredAt":1732827600}""", "occurredAt")]
    [InlineData("""{"eventId":"e","segmentId":"s","profileId":"p","type":"joined","occurredAt":"2026-11-28T20:00:00Z"}""", "'attributes' is required")]
    [InlineData("""[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]""", "not valid JSON")]
    [InlineData("""{"eventId":"e",""", "not valid JSON")]
    public void MalformedEvents_AreRejectedWithAReason(string json, string reason)
    {
        var result = Parse(json);

        Assert.False(result.Ok);
        Assert.Null(result.Event);
        Assert.Contains(reason, result.Reason);
    }

    [Fact]
    public void Fuzz_RandomBytes_AreRejectedOrParsed_NeverThrow()
    {
        var counts = new Counts();
        var bytes = Gen.Frequency(
            (1, Gen.Byte.Array[0, 300]),
            (3, SegmentEventGen.JsonishText.Select(text => Encoding.UTF8.GetBytes(text))));

        bytes.Sample(input => counts.Check(SegmentEventParser.TryParse(input, Limits, Now, out var e, out var reason), e, reason), iter: 50_000);

        Assert.Equal(50_000, counts.Total);
        Assert.True(counts.Rejected > 0);
    }

    [Fact]
    public void Fuzz_MutatedEvents_AreRejectedOrParsedWithinTheLimits_NeverThrow()
    {
        var counts = new Counts();

        SegmentEventGen.MutatedEvent(Now).Sample(json =>
        {
            using var document = JsonDocument.Parse(json);
            var ok = SegmentEventParser.TryParse(document.RootElement, Limits, Now, out var e, out var reason);
            counts.Check(ok, e, reason);
            if (ok)
            {
                AssertWithinTheRules(e!);
            }
        }, iter: 60_000);

        Assert.Equal(60_000, counts.Total);
        Assert.True(counts.Accepted > 1_000 && counts.Rejected > 1_000, $"accepted {counts.Accepted}, rejected {counts.Rejected}: the generator should exercise both");
    }

    private static void AssertWithinTheRules(SegmentEvent e)
    {
        Assert.All(new[] { e.EventId, e.SegmentId }, id => Assert.InRange(id.Length, 1, SegmentEventParser.MaxIdLength));
        Assert.True(e.OccurredAt - Now <= Limits.MaxFutureSkew);
        if (e.Type is SegmentEventType.Joined or SegmentEventType.Updated or SegmentEventType.Left)
        {
            Assert.InRange(e.ProfileId.Length, 1, SegmentEventParser.MaxIdLength);
        }

        if (e.Type is SegmentEventType.Joined or SegmentEventType.Updated)
        {
            Assert.NotNull(e.Attributes);
        }

        var bytes = (e.Attributes ?? new Dictionary<string, string>()).Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
        Assert.True(bytes <= Limits.MaxAttributeBytes);
    }

    /// <summary>Every input is either an event (and no reason) or a reason (and no event).</summary>
    private sealed class Counts
    {
        private long accepted;
        private long rejected;

        public long Accepted => Interlocked.Read(ref accepted);

        public long Rejected => Interlocked.Read(ref rejected);

        public long Total => Accepted + Rejected;

        public void Check(bool ok, SegmentEvent? e, string? reason)
        {
            if (ok)
            {
                Assert.NotNull(e);
                Assert.Null(reason);
                Interlocked.Increment(ref accepted);
            }
            else
            {
                Assert.Null(e);
                Assert.False(string.IsNullOrWhiteSpace(reason));
                Interlocked.Increment(ref rejected);
            }
        }
    }
}
