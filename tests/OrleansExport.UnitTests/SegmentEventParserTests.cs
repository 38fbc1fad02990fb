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
            (3, JsonishText.Select(text => Encoding.UTF8.GetBytes(text))));

        bytes.Sample(input => counts.Check(SegmentEventParser.TryParse(input, Limits, Now, out var e, out var reason), e, reason), iter: 50_000);

        Assert.Equal(50_000, counts.Total);
        Assert.True(counts.Rejected > 0);
    }

    [Fact]
    public void Fuzz_MutatedEvents_AreRejectedOrParsedWithinTheLimits_NeverThrow()
    {
        var counts = new Counts();

        MutatedEvent.Sample(json =>
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

    /// <summary>Text made of JSON's own punctuation, keywords, escapes and the field names: it reaches deep into the parser.</summary>
    private static readonly Gen<string> JsonishText =
        Gen.OneOf(Gen.Const("{"), Gen.Const("}"), Gen.Const("["), Gen.Const("]"), Gen.Const(":"), Gen.Const(","), Gen.Const("\""),
                Gen.Const("\"eventId\""), Gen.Const("\"type\""), Gen.Const("\"joined\""), Gen.Const("\"attributes\""), Gen.Const("null"),
                Gen.Const("true"), Gen.Const("-1e999"), Gen.Const("\\u0000"), Gen.Const("\\ud800"), Gen.Const("\\"), Gen.Const("é"), Gen.Const("😀"),
                Gen.String[0, 8])
            .Array[0, 60]
            .Select(parts => string.Concat(parts));

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.OneOf(Gen.Const("a"), Gen.Const("p-1"), Gen.Const("ann@example.com"), Gen.Const("é中😀"), Gen.Const(" "), Gen.Const(""))),
        (3, Gen.String[0, 30]),
        (1, Gen.Int[200, 1200].Select(n => new string('x', n))));

    private static readonly Gen<string> JsonLeaf = Gen.Frequency(
        (6, Text.Select(t => JsonSerializer.Serialize(t))),
        (1, Gen.Const("\"\\ud800\"")),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0")),
        (1, Gen.OneOf(Gen.Const("true"), Gen.Const("false"), Gen.Const("null"))));

    private static readonly Gen<string> JsonValue = Gen.Frequency(
        (8, JsonLeaf),
        (1, JsonLeaf.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
        (1, Gen.Select(Text, JsonLeaf).Array[0, 4].Select(Object)));

    private static readonly Gen<string> Timestamp = Gen.Frequency(
        (6, Gen.Int[-100_000, 7_000].Select(seconds => JsonSerializer.Serialize(Now.AddSeconds(seconds).ToString("O")))),
        (1, Gen.OneOf(Gen.Const("\"9999-12-31T23:59:59Z\""), Gen.Const("\"yesterday\""), Gen.Const("\"2026-02-30T00:00:00Z\""), Gen.Const("1732827600"))));

    private static readonly Gen<string> TypeName = Gen.Frequency(
        (8, Gen.OneOf(Gen.Const("joined"), Gen.Const("left"), Gen.Const("updated"), Gen.Const("snapshotStarted"), Gen.Const("snapshotCompleted")).Select(t => $"\"{t}\"")),
        (1, JsonValue));

    private static readonly Gen<string> Attributes = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf(Gen.Const("EmailAddress"), Gen.Const("FirstName"), Gen.Const("Tier"), Text), JsonLeaf).Array[0, 12].Select(Object)),
        (1, Gen.Int[1, 3].Select(n => Object(Enumerable.Range(0, n).Select(i => ($"big{i}", JsonSerializer.Serialize(new string('y', 500)))).ToArray()))),
        (1, JsonValue));

    /// <summary>A valid-looking event whose fields are each, now and then, missing, mistyped or hostile.</summary>
    private static readonly Gen<string> MutatedEvent =
        Gen.Select(
            Field("eventId", Text.Select(t => JsonSerializer.Serialize(t))),
            Field("segmentId", Text.Select(t => JsonSerializer.Serialize(t))),
            Field("profileId", Text.Select(t => JsonSerializer.Serialize(t))),
            Field("type", TypeName),
            Field("occurredAt", Timestamp),
            Field("attributes", Attributes),
            Field("snapshotId", Text.Select(t => JsonSerializer.Serialize(t))),
            Gen.Select(Text, JsonValue).Array[0, 2])
        .Select((a, b, c, d, e, f, g, extra) => Object([.. new[] { a, b, c, d, e, f, g }.OfType<(string, string)>(), .. extra]));

    private static Gen<(string Name, string Json)?> Field(string name, Gen<string> value) => Gen.Frequency(
        (8, value.Select(v => ((string, string)?)(name, v))),
        (1, JsonValue.Select(v => ((string, string)?)(name, v))),
        (1, Gen.Const(((string, string)?)null)));

    private static string Object((string Name, string Json)[] members) =>
        "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Json)) + "}";

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
