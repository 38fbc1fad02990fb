using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>Drives a silo over its public HTTP API (docs/api.md section 2), as a user would.</summary>
public sealed class ApiDriver(Uri baseAddress) : IDisposable
{
    private const int EventsPerRequest = 5000;

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Uri BaseAddress => baseAddress;

    public async Task<string> CreateConnectionAsync(string hostname, string apiKey)
    {
        var body = new { displayName = "Simulator", hostname, apiKey, allowContributors = false, dataPrivacyConsent = true, profileCap = (long?)null };
        var created = await SendAsync(HttpMethod.Post, "/api/connections", body, HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    public async Task<string> CreateExportAsync(string connectionId, string listId, string segmentId, string emailAttribute = "EmailAddress")
    {
        var body = new
        {
            displayName = "Production test export",
            connectionId,
            listId,
            segmentIds = new[] { segmentId },
            mapping = new { email = emailAttribute, firstName = "FirstName", lastName = "LastName", fields = new[] { new { attribute = "Tier", fieldId = 1 } } },
            onLeave = "unsubscribe",
        };
        var created = await SendAsync(HttpMethod.Post, "/api/exports", body, HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>Posts the events as JSON arrays (docs/api.md section 1); every one must be accepted.</summary>
    public async Task PostEventsAsync(IReadOnlyList<SegmentEvent> events)
    {
        foreach (var chunk in events.Chunk(EventsPerRequest))
        {
            using var request = Request(HttpMethod.Post, "/api/events");
            request.Content = new ByteArrayContent(SegmentEventJson.SerializeArray(chunk));
            request.Content.Headers.ContentType = new("application/json");
            var result = await ReadAsync(await _http.SendAsync(request), HttpStatusCode.Accepted);
            Assert.Equal(chunk.Length, result.GetProperty("accepted").GetInt32());
        }
    }

    /// <summary>Waits until the silo answers ready (it has joined its cluster).</summary>
    public Task WaitUntilReadyAsync(TimeSpan timeout) => Readiness.WaitAsync(baseAddress, timeout);

    public Task<JsonElement> GetExportAsync(string exportId) => SendAsync(HttpMethod.Get, $"/api/exports/{exportId}", null, HttpStatusCode.OK);

    /// <summary>Starts a full run; before its first run an export sends nothing.</summary>
    public async Task<string> StartRunAsync(string exportId) =>
        (await SendAsync(HttpMethod.Post, $"/api/exports/{exportId}/runs", null, HttpStatusCode.Accepted)).GetProperty("runId").GetString()!;

    public Task<JsonElement> GetSegmentAsync(string segmentId) => SendAsync(HttpMethod.Get, $"/api/segments/{segmentId}", null, HttpStatusCode.OK);

    /// <summary>Waits until the segment has applied <paramref name="events"/> events (they reach it through the stream).</summary>
    public Task WaitForSegmentAsync(string segmentId, long events, TimeSpan timeout) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await _http.SendAsync(Request(HttpMethod.Get, $"/api/segments/{segmentId}"));
            return response.StatusCode == HttpStatusCode.OK
                ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("eventsReceived").GetInt64()
                : 0;
        }, received => received >= events, timeout, $"segment {segmentId} to apply {events} events");

    public Task<JsonElement> GetConnectionAsync(string connectionId) => SendAsync(HttpMethod.Get, $"/api/connections/{connectionId}", null, HttpStatusCode.OK);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = Request(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await ReadAsync(await _http.SendAsync(request), expected);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path) => new(method, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", SiloSettings.AdminKey) },
    };

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    public void Dispose() => _http.Dispose();
}
