using System.Net.Http.Json;
using OrleansExport.TestSupport;

namespace OrleansExport.BrowserTests;

/// <summary>Segment-membership events as upstream sends them to POST /api/events (docs/api.md section 1).</summary>
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

    /// <summary>Waits until GET /api/segments/{id} counts <paramref name="members"/>: events reach the segment through the stream, a moment after 202.</summary>
    public static Task WaitForMembersAsync(HttpClient api, string segmentId, long members) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await api.GetAsync($"api/segments/{Uri.EscapeDataString(segmentId)}");
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<Segment>())?.Members : null;
        }, found => found == members, Eventually.DefaultTimeout, $"segment {segmentId} to count {members} members");

    private sealed record IngestResult(int Accepted);

    private sealed record Segment(long Members);
}
