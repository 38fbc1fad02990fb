using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansExport.LoadTests.Targets;

/// <summary>Posts events as the JSON arrays of docs/api.md section 1 to <c>POST /api/events</c>.</summary>
internal sealed class HttpEventSink : IEventSink, IDisposable
{
    private readonly HttpClient _http;

    public HttpEventSink(Uri apiBase, string apiKey)
    {
        _http = new HttpClient { BaseAddress = apiBase, Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public async Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(SegmentEventJson.SerializeArray(events));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync("api/events", content, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var accepted = result.GetProperty("accepted").GetInt32();
        if (accepted != events.Count)
        {
            throw new InvalidOperationException($"POST /api/events accepted {accepted} of {events.Count} events: {result.GetProperty("rejected")}");
        }
    }

    public void Dispose() => _http.Dispose();
}
