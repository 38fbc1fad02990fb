using System.Net.Http.Json;

namespace OrleansExport.BrowserTests;

/// <summary>Segment-membership events as upstream sends them to POST /api/events (CONTRACT.md section 1).</summary>
public static class SegmentEvents
{
    public static object Joined(string segmentId, string profileId, string email, string tier) => new
    {
        eventId = Guid.NewGuid().ToString("N"),
        segmentId,
        profileId,
        type = "joined",
        occurredAt = DateTimeOffset.UtcNow,
        attributes = new Dictionary<string, string>
        {
            ["EmailAddress"] = email, ["FirstName"] = "First " + profileId, ["LastName"] = "Last " + profileId, ["Tier"] = tier,
        },
    };

    public static async Task PostAsync(HttpClient api, IReadOnlyList<object> events)
    {
        using var response = await api.PostAsJsonAsync("api/events", events);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<IngestResult>();
        Assert.Equal(events.Count, result!.Accepted);
    }

    private sealed record IngestResult(int Accepted);
}
