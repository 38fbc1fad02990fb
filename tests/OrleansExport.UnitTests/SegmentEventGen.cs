using System.Text.Json;
using CsCheck;

namespace OrleansExport.UnitTests;

/// <summary>Generators of hostile upstream input, shared by the parser's and the ingest endpoint's fuzz tests.</summary>
public static class SegmentEventGen
{
    /// <summary>Text made of JSON's own punctuation, keywords, escapes and the field names: it reaches deep into the parser.</summary>
    public static readonly Gen<string> JsonishText =
        Gen.OneOf(Gen.Const("{"), Gen.Const("}"), Gen.Const("["), Gen.Const("]"), Gen.Const(":"), Gen.Const(","), Gen.Const("\""),
                Gen.Const("\"eventId\""), Gen.Const("\"type\""), Gen.Const("\"joined\""), Gen.Const("\"attributes\""), Gen.Const("null"),
                Gen.Const("true"), Gen.Const("-1e999"), Gen.Const("\\u0000"), Gen.Const("\\ud800"), Gen.Const("\\"), Gen.Const("é"), Gen.Const("😀"),
                Gen.String[0, 8])
            .Array[0, 60]
            .Select(parts => string.Concat(parts));

    public static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.OneOf(Gen.Const("a"), Gen.Const("p-1"), Gen.Const("ann@example.com"), Gen.Const("é中😀"), Gen.Const(" "), Gen.Const(""))),
        (3, Gen.Char[' ', '~'].Array[0, 30].Select(chars => new string(chars))),
        (1, Gen.String[0, 30]),
        (1, Gen.Int[200, 1200].Select(n => new string('x', n))));

    /// <summary>Mostly a plausible identifier, now and then any text.</summary>
    public static readonly Gen<string> Id = Gen.Frequency((8, Gen.Int[0, 100_000].Select(i => $"id-{i}")), (2, Text));

    public static readonly Gen<string> JsonLeaf = Gen.Frequency(
        (24, Text.Select(t => JsonSerializer.Serialize(t))),
        (1, Gen.Const("\"\\ud800\"")),
        (3, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0")),
        (2, Gen.OneOf(Gen.Const("true"), Gen.Const("false"), Gen.Const("null"))));

    public static readonly Gen<string> JsonValue = Gen.Frequency(
        (8, JsonLeaf),
        (1, JsonLeaf.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
        (1, Gen.Select(Text, JsonLeaf).Array[0, 4].Select(Object)));

    public static Gen<string> Timestamp(DateTimeOffset now) => Gen.Frequency(
        (6, Gen.Int[-100_000, 7_000].Select(seconds => JsonSerializer.Serialize(now.AddSeconds(seconds).ToString("O")))),
        (1, Gen.OneOf(Gen.Const("\"9999-12-31T23:59:59Z\""), Gen.Const("\"yesterday\""), Gen.Const("\"2026-02-30T00:00:00Z\""), Gen.Const("1732827600"))));

    public static readonly Gen<string> TypeName = Gen.Frequency(
        (8, Gen.OneOf(Gen.Const("joined"), Gen.Const("left"), Gen.Const("updated"), Gen.Const("snapshotStarted"), Gen.Const("snapshotCompleted")).Select(t => $"\"{t}\"")),
        (1, JsonValue));

    public static readonly Gen<string> Attributes = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf(Gen.Const("EmailAddress"), Gen.Const("FirstName"), Gen.Const("Tier"), Text), JsonLeaf).Array[0, 6].Select(Object)),
        (1, Gen.Int[1, 3].Select(n => Object(Enumerable.Range(0, n).Select(i => ($"big{i}", JsonSerializer.Serialize(new string('y', 500)))).ToArray()))),
        (1, JsonValue));

    /// <summary>A valid-looking event whose fields are each, now and then, missing, mistyped or hostile; times are around <paramref name="now"/>.</summary>
    public static Gen<string> MutatedEvent(DateTimeOffset now, Gen<string>? segmentIds = null) =>
        Gen.Select(
            Field("eventId", Id.Select(t => JsonSerializer.Serialize(t))),
            Field("segmentId", (segmentIds ?? Text).Select(t => JsonSerializer.Serialize(t))),
            Field("profileId", Id.Select(t => JsonSerializer.Serialize(t))),
            Field("type", TypeName),
            Field("occurredAt", Timestamp(now)),
            Field("attributes", Attributes),
            Field("snapshotId", Id.Select(t => JsonSerializer.Serialize(t))),
            Gen.Select(Text, JsonValue).Array[0, 2])
        .Select((a, b, c, d, e, f, g, extra) => Object([.. new[] { a, b, c, d, e, f, g }.OfType<(string, string)>(), .. extra]));

    private static Gen<(string Name, string Json)?> Field(string name, Gen<string> value) => Gen.Frequency(
        (16, value.Select(v => ((string, string)?)(name, v))),
        (1, JsonValue.Select(v => ((string, string)?)(name, v))),
        (1, Gen.Const(((string, string)?)null)));

    private static string Object((string Name, string Json)[] members) =>
        "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Json)) + "}";
}
