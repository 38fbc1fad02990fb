using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansExport.TestSupport;

namespace OrleansExport.IntegrationTests;

/// <summary>Small helpers that drive the HTTP API the way a user's curl would.</summary>
public static class Api
{
    public static object ConnectionBody(SiloFixture fixture, string? apiKey = null, bool allowContributors = false, long? profileCap = null, bool consent = true) => new
    {
        displayName = "Test account",
        hostname = fixture.Simulator.Hostname,
        apiKey = apiKey ?? SiloFixture.SimulatorApiKey,
        allowContributors,
        dataPrivacyConsent = consent,
        profileCap,
    };

    public static object ExportBody(string connectionId, string segmentId, string listId = "1", string onLeave = "unsubscribe") => new
    {
        displayName = "Test export",
        connectionId,
        listId,
        segmentIds = new[] { segmentId },
        mapping = new
        {
            email = "EmailAddress",
            firstName = "FirstName",
            lastName = "LastName",
            fields = new[] { new { attribute = "Tier", fieldId = 7 } },
            tags = new[] { "from-ci" },
        },
        onLeave,
        schedule = (string?)null,
    };

    public static async Task<string> CreateConnectionAsync(SiloFixture fixture, bool allowContributors = false, long? profileCap = null)
    {
        var response = await fixture.Client().PostJsonAsync("/api/connections", ConnectionBody(fixture, allowContributors: allowContributors, profileCap: profileCap));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Creates an export and, unless <paramref name="firstRun"/> is false, runs it once to the end: from then on
    /// it delivers changes continuously (before its first run an export sends nothing).
    /// </summary>
    public static async Task<string> CreateExportAsync(SiloFixture fixture, string connectionId, string segmentId, string listId = "1", bool firstRun = true)
    {
        var response = await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connectionId, segmentId, listId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var exportId = (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        if (firstRun)
        {
            await RunToEndAsync(fixture, exportId);
        }

        return exportId;
    }

    /// <summary>Starts a full run and waits until it has ended; returns the finished run.</summary>
    public static async Task<JsonElement> RunToEndAsync(SiloFixture fixture, string exportId)
    {
        var started = await fixture.Client().PostAsync($"/api/exports/{exportId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.ReadAsync<JsonElement>()).GetProperty("runId").GetString();
        JsonElement run = default;
        await EventuallyAsync(async () =>
        {
            run = await (await fixture.Client().GetAsync($"/api/exports/{exportId}/runs/{runId}")).ReadAsync<JsonElement>();
            return run.GetProperty("status").GetString() is not ("queued" or "running");
        }, $"run {runId} of {exportId} to end", TimeSpan.FromSeconds(120));
        return run;
    }

    public static async Task PostEventsAsync(SiloFixture fixture, IEnumerable<SegmentEvent> events)
    {
        foreach (var chunk in events.Chunk(2000))
        {
            var response = await fixture.Client().PostJsonAsync("/api/events", chunk.Select(Json));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    /// <summary>An event as upstream writes it (docs/api.md section 1).</summary>
    public static object Json(SegmentEvent e) => new
    {
        eventId = e.EventId,
        segmentId = e.SegmentId,
        profileId = e.ProfileId,
        type = JsonNamingPolicy.CamelCase.ConvertName(e.Type.ToString()),
        occurredAt = e.OccurredAt,
        attributes = e.Attributes,
        snapshotId = e.SnapshotId,
    };

    /// <summary>Waits until the segment has applied <paramref name="events"/> events (they reach it through the stream).</summary>
    public static Task WaitForSegmentEventsAsync(SiloFixture fixture, string segmentId, long events) =>
        EventuallyAsync(async () =>
        {
            var response = await fixture.Client().GetAsync($"/api/segments/{segmentId}");
            return response.StatusCode == HttpStatusCode.OK && (await response.ReadAsync<JsonElement>()).GetProperty("eventsReceived").GetInt64() == events;
        }, $"segment {segmentId} to apply {events} events");

    public static async Task<JsonElement> GetExportAsync(SiloFixture fixture, string exportId) =>
        await (await fixture.Client().GetAsync($"/api/exports/{exportId}")).ReadAsync<JsonElement>();

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null) =>
        Eventually.UntilAsync(condition, what, timeout, describe);

    public static HashSet<string> SubscribedEmails(SiloFixture fixture, string listId = "1") =>
        fixture.Simulator.State.GetListContacts(listId).Where(c => c.Status == 1).Select(c => c.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public static SegmentEvent Joined(string segment, string profile, string email, DateTimeOffset at, string first = "Ann", string? eventId = null) =>
        new(eventId ?? Guid.NewGuid().ToString("N"), segment, profile, SegmentEventType.Joined, at,
            new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = first, ["LastName"] = "Lee", ["Tier"] = "gold" });

    public static SegmentEvent Left(string segment, string profile, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), segment, profile, SegmentEventType.Left, at, null);

    /// <summary>A contact someone else put on the list and subscribed, through ActiveCampaign's own API.</summary>
    public static async Task AddSubscribedContactAsync(SiloFixture fixture, string email, string listId)
    {
        using var http = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        http.DefaultRequestHeaders.Add("Api-Token", SiloFixture.SimulatorApiKey);
        var synced = await PostPacedAsync(http, "/api/3/contact/sync", new { contact = new { email } });
        var contactId = (await synced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contact").GetProperty("id").GetString();
        await PostPacedAsync(http, "/api/3/contactLists", new { contactList = new { list = listId, contact = contactId, status = 1 } });
    }

    /// <summary>The account's 5 requests a second are shared with the exports' delivery: a 429 is waited out, as the client does.</summary>
    private static async Task<HttpResponseMessage> PostPacedAsync(HttpClient http, string path, object body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.PostAsJsonAsync(path, body);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 20)
            {
                return response.EnsureSuccessStatusCode();
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200));
        }
    }
}
