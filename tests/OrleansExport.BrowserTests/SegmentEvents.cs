using System.Net.Http.Json;

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
    public static async Task WaitForMembersAsync(HttpClient api, string segmentId, long members)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await api.GetAsync($"api/segments/{Uri.EscapeDataString(segmentId)}");
            var segment = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Segment>() : null;
            if (segment?.Members == members)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"segment {segmentId} has {segment?.Members.ToString() ?? "no"} members after 60 s, not {members}");
            await Task.Delay(200);
        }
    }

    private sealed record IngestResult(int Accepted);

    private sealed record Segment(long Members);
}
