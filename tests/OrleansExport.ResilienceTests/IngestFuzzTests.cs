using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using OrleansExport.UnitTests;
using Xunit.Abstractions;

namespace OrleansExport.ResilienceTests;

/// <summary>The host with the API rate limit out of the way, so a fuzzer can drive the ingest endpoint hard.</summary>
public sealed class FuzzFixture : SiloFixture
{
    protected override IEnumerable<string> ExtraArgs() => ["--Api:RateLimit:Enabled=false"];
}

[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<FuzzFixture>
{
    public const string Name = "fuzz";
}

/// <summary>
/// 100,000 generated events (valid, mistyped, missing fields, oversized, future-dated, lone surrogates,
/// unknown segments) in 200 requests, plus 2,000 hostile bodies: no request fails, and every event is
/// either applied to the export, dead-lettered, or rejected with a reason.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class IngestFuzzTests(FuzzFixture fixture, ITestOutputHelper output)
{
    private const int EventsPerRequest = 500;
    private const int Requests = 200;
    private const int HostileBodies = 2_000;
    private const string Routed = "fuzz-routed";

    [Fact]
    public async Task GeneratedEvents_AreEachAppliedDeadLetteredOrRejected_AndNothingEscapes()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, Routed);
        var deadBefore = await DeadLettersAsync();
        var receivedBefore = await SegmentEventsReceivedAsync();
        var segments = Gen.Frequency((6, Gen.Const(Routed)), (3, Gen.Const("fuzz-unrouted")), (1, SegmentEventGen.Text));
        var element = Gen.Frequency((9, SegmentEventGen.MutatedEvent(DateTimeOffset.UtcNow, segments)), (1, SegmentEventGen.JsonValue));
        long accepted = 0, rejected = 0, deadLettered = 0;

        await element.Array[EventsPerRequest].Select(items => "[" + string.Join(",", items) + "]").SampleAsync(async body =>
        {
            var response = await fixture.Client().PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var result = await response.ReadAsync<JsonElement>();
            var indexes = result.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()).ToList();
            var rejectedCount = result.GetProperty("rejectedCount").GetInt32();
            Assert.Equal(EventsPerRequest, result.GetProperty("accepted").GetInt32() + rejectedCount);
            Assert.Equal(Math.Min(rejectedCount, 100), indexes.Count);
            Assert.Equal(indexes.Count, indexes.Distinct().Count(i => i is >= 0 and < EventsPerRequest));
            Assert.All(result.GetProperty("rejected").EnumerateArray(), r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
            accepted += result.GetProperty("accepted").GetInt32();
            rejected += rejectedCount;
            deadLettered += result.GetProperty("deadLettered").GetInt64();
        }, iter: Requests, threads: 1);

        Assert.Equal(Requests * EventsPerRequest, accepted + rejected);
        Assert.True(accepted > 0 && rejected > 0, $"accepted {accepted}, rejected {rejected}");
        Assert.Equal(rejected, deadLettered);
        await Api.EventuallyAsync(async () => await SegmentEventsReceivedAsync() - receivedBefore == accepted,
            $"the segments to receive the {accepted} accepted events", TimeSpan.FromSeconds(120));
        Assert.True((await Api.GetExportAsync(fixture, export)).GetProperty("eventsReceived").GetInt64() > 0, "the export takes its segment's changes");
        var deadAfter = await DeadLettersAsync();
        Assert.Equal(rejected, deadAfter.Malformed - deadBefore.Malformed);
        Assert.DoesNotContain(fixture.LogLines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
        output.WriteLine($"{accepted + rejected} events fuzzed in {Requests} requests: {accepted} applied to their segments, {rejected} rejected and dead-lettered");
    }

    [Fact]
    public async Task HostileBodies_AreRefusedAsProblems_NeverAsServerErrors()
    {
        var outcomes = new Dictionary<HttpStatusCode, int>();

        await SegmentEventGen.JsonishText.SampleAsync(async body =>
        {
            var response = await fixture.Client().PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {body}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
            }

            outcomes[response.StatusCode] = outcomes.GetValueOrDefault(response.StatusCode) + 1;
        }, iter: HostileBodies, threads: 1);

        Assert.Equal(HostileBodies, outcomes.Values.Sum());
        output.WriteLine($"{HostileBodies} hostile bodies: " + string.Join(", ", outcomes.Select(o => $"{(int)o.Key}: {o.Value}")));
    }

    private async Task<(long Malformed, long OutOfScope)> DeadLettersAsync()
    {
        var summary = await (await fixture.Client().GetAsync("/api/deadletters?limit=1")).ReadAsync<JsonElement>();
        return (summary.GetProperty("malformed").GetInt64(), summary.GetProperty("outOfScope").GetInt64());
    }

    /// <summary>Events applied by every segment so far: valid events become segment state, exported or not.</summary>
    private async Task<long> SegmentEventsReceivedAsync()
    {
        var segments = await (await fixture.Client().GetAsync("/api/segments")).ReadAsync<JsonElement>();
        return segments.EnumerateArray().Sum(s => s.GetProperty("eventsReceived").GetInt64());
    }
}
