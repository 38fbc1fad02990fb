using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>Events that reach no export are counted and shown with their reason; hostile events are rejected one by one.</summary>
[Collection(SiloCollection.Name)]
public sealed class DeadLetterTests(SiloFixture fixture)
{
    private static readonly string Past = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");

    [Fact]
    public async Task MalformedEvents_AreDeadLetteredWithTheirReason_WhileValidOnesForAnUnexportedSegmentBecomeState()
    {
        var segment = $"nobody-{Guid.NewGuid():N}";
        var body = $$$"""
            [
              {"eventId":"dl-ok","segmentId":"{{{segment}}}","profileId":"p1","type":"joined","occurredAt":"{{{Past}}}","attributes":{"EmailAddress":"a@example.com"}},
              {"eventId":"dl-bad","segmentId":"{{{segment}}}","profileId":"p2","type":"joined","occurredAt":"{{{Past}}}"}
            ]
            """;

        var response = await fixture.Client().PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));
        var letters = await (await fixture.Client(SiloFixture.ViewerKey).GetAsync("/api/deadletters?limit=1000")).ReadAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal((1, 1), (result.GetProperty("accepted").GetInt32(), result.GetProperty("deadLettered").GetInt32()));
        var mine = letters.GetProperty("recent").EnumerateArray().Where(l => l.GetProperty("segmentId").GetString() == segment)
            .ToDictionary(l => l.GetProperty("eventId").GetString()!);
        Assert.Equal(["dl-bad"], mine.Keys);
        Assert.Equal("malformed", mine["dl-bad"].GetProperty("kind").GetString());
        Assert.Contains("'attributes' is required", mine["dl-bad"].GetProperty("reason").GetString());
        Assert.True(letters.GetProperty("malformed").GetInt64() >= 1);
        Assert.DoesNotContain("a@example.com", letters.GetRawText());
        await Api.EventuallyAsync(async () =>
        {
            var state = await fixture.Client().GetAsync($"/api/segments/{segment}");
            return state.StatusCode == HttpStatusCode.OK && (await state.ReadAsync<JsonElement>()).GetProperty("members").GetInt64() == 1;
        }, "the valid event to be segment state");
    }

    [Fact]
    public async Task EventsForAnExportsSegment_AreNotDeadLettered()
    {
        var segment = $"routed-{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        await Api.CreateExportAsync(fixture, connection, segment);

        var response = await fixture.Client().PostJsonAsync("/api/events", new[] { Api.Joined(segment, "r1", "routed@example.com", DateTimeOffset.UtcNow) }.Select(Api.Json));

        Assert.Equal(0, (await response.ReadAsync<JsonElement>()).GetProperty("deadLettered").GetInt32());
    }

    [Fact]
    public async Task DeadLetters_AreForAdminsAndViewers()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().GetAsync("/api/deadletters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client(SiloFixture.ContributorKey).GetAsync("/api/deadletters")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().GetAsync("/api/deadletters?limit=0")).StatusCode);
    }

    [Fact]
    public async Task HostileEvents_AreRejectedOneByOne_WithTheirReason()
    {
        var future = DateTimeOffset.UtcNow.AddDays(2).ToString("O");
        var huge = new string('x', 4000);
        var attributes = string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"A{i}\":\"{huge}\""));
        var body = $$$"""
            [
              {"eventId":"h-future","segmentId":"s-hostile","profileId":"p1","type":"joined","occurredAt":"{{{future}}}","attributes":{"EmailAddress":"a@example.com"}},
              {"eventId":"h-big","segmentId":"s-hostile","profileId":"p2","type":"joined","occurredAt":"{{{Past}}}","attributes":{{{{attributes}}}}},
              {"eventId":["not","a","string"],"segmentId":"s-hostile","profileId":"p3","type":"left","occurredAt":"{{{Past}}}"},
              {"eventId":"h-surrogate","segmentId":"s-hostile","profileId":"\ud800","type":"left","occurredAt":"{{{Past}}}"},
              {"eventId":"h-ok","segmentId":"s-hostile","profileId":"p5","type":"left","occurredAt":"{{{Past}}}"}
            ]
            """;

        var response = await fixture.Client().PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("accepted").GetInt32());
        var reasons = result.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("reason").GetString()!);
        Assert.Contains("ahead of the server clock", reasons[0]);
        Assert.Contains("bytes", reasons[1]);
        Assert.Contains("must be a string", reasons[2]);
        Assert.Contains("not valid Unicode", reasons[3]);
    }
}
