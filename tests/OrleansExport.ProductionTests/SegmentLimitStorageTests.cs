using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// Segment ids in the production storage: a flood of new segments stops at <c>Ingest:MaxSegments</c> and leaves the
/// catalog writable (segments live in a sharded index, not in the catalog's one row), and ids that Azure Table
/// storage would fold together (<c>a/b</c>, <c>a_b</c>) never share a state.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SegmentLimitStorageTests(AzuriteFixture azurite)
{
    private const int MaxSegments = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task IngestFloodPastMaxSegments_IsRefusedWithAReason_AndEveryAdmittedSegmentIsListedAndErased()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var simulatorOptions = new SimulatorOptions();
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "segflood-" + run);
        settings["Ingest:MaxSegments"] = MaxSegments.ToString();
        settings.Values.WithApiKey(1, TestKeys.Ingest, "Ingest", "upstream");
        await using var silo = await InProcessSilo.StartAsync(settings.WithFreePorts());
        using var http = Client(silo.BaseAddress, TestKeys.Ingest);
        using var api = new ApiDriver(silo.BaseAddress);

        var segments = Enumerable.Range(0, 60).Select(i => $"flood-{run}-{i:D2}").ToArray();
        var events = segments.Select((segment, i) => Event($"join-{i}", segment, "ann", "joined")).ToArray();
        var answer = await PostAsync(http, events);

        Assert.Equal(MaxSegments, answer.GetProperty("accepted").GetInt32());
        var rejections = answer.GetProperty("rejected").EnumerateArray().ToArray();
        Assert.Equal(20, rejections.Length);
        Assert.All(rejections, r => Assert.Contains("Ingest:MaxSegments", r.GetProperty("reason").GetString()));

        // The catalog still writes: an admin creates a connection, and an export naming one more segment is refused.
        var connection = await api.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
        using var admin = Client(silo.BaseAddress, SiloSettings.AdminKey);
        using var export = await admin.PostAsJsonAsync("/api/exports", new
        {
            displayName = "one too many", connectionId = connection, listId = "1", segmentIds = new[] { $"flood-{run}-new" },
            mapping = new { email = "EmailAddress" },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, export.StatusCode);
        Assert.Contains("\"segmentIds\"", await export.Content.ReadAsStringAsync());

        var admitted = segments.Where(s => !rejections.Any(r => events[r.GetProperty("index").GetInt32()].SegmentId == s)).ToArray();
        Assert.Equal(MaxSegments, admitted.Length);
        foreach (var segment in admitted)
        {
            await api.WaitForSegmentAsync(segment, 1, Timeout);
        }

        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/segments");
        Assert.Equal(admitted.Order(StringComparer.Ordinal), listed.EnumerateArray().Select(s => s.GetProperty("segmentId").GetString()!).Order(StringComparer.Ordinal));

        await PostAsync(http, [Event("erase-ann", admitted[0], "ann", "erased", T0.AddMinutes(1))]);
        foreach (var segment in admitted)
        {
            await Eventually.WaitAsync(() => api.GetSegmentAsync(segment), s => s.GetProperty("members").GetInt64() == 0, Timeout, $"ann erased from {segment}");
        }
    }

    [Fact]
    public async Task SlashAndUnderscoreSegmentIds_AreNotOneStoredState()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "segids-" + run);
        await using var silo = await InProcessSilo.StartAsync(settings.WithFreePorts());
        using var http = Client(silo.BaseAddress, SiloSettings.AdminKey);
        using var api = new ApiDriver(silo.BaseAddress);

        var answer = await PostAsync(http, [
            Event("slash", $"{run}/vip", "ann", "joined"),
            Event("underscore", $"{run}_vip", "bob", "joined"),
            Event("space", $"{run} vip", "cid", "joined"),
            Event("hash", $"{run}#vip", "dan", "joined"),
            Event("query", $"{run}?vip", "eve", "joined"),
            Event("control", $"{run}\u0001vip", "fay", "joined"),
            Event("long", new string('s', 129), "gus", "joined")]);

        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        var rejected = answer.GetProperty("rejected").EnumerateArray().ToArray();
        Assert.Equal([0, 2, 3, 4, 5, 6], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.All(rejected, r => Assert.Contains("'segmentId'", r.GetProperty("reason").GetString()));
        await api.WaitForSegmentAsync($"{run}_vip", 1, Timeout);
        Assert.Equal(1, (await api.GetSegmentAsync($"{run}_vip")).GetProperty("members").GetInt64());
    }

    private static SegmentEvent Event(string eventId, string segmentId, string profileId, string type, DateTimeOffset? at = null) =>
        new(eventId, segmentId, profileId, type switch
        {
            "joined" => SegmentEventType.Joined,
            "erased" => SegmentEventType.Erased,
            _ => SegmentEventType.Left,
        }, at ?? T0, type == "joined" ? new Dictionary<string, string> { ["EmailAddress"] = $"{profileId}@example.com" } : null);

    private static HttpClient Client(Uri baseAddress, string key) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

    private static async Task<JsonElement> PostAsync(HttpClient http, IReadOnlyList<SegmentEvent> events)
    {
        using var content = new ByteArrayContent(SegmentEventJson.SerializeArray(events));
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("/api/events", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
