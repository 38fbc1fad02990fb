using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansExport.Cli;

/// <summary>The API refused a request: the status and the problem answer's title, detail and field.</summary>
public sealed class ApiException(int status, string title, string? detail, string? field)
    : Exception(detail is null ? $"{title} ({status})" : $"{title} ({status}): {detail}")
{
    public int Status { get; } = status;

    public string? Field { get; } = field;
}

/// <summary>The OrleansExport HTTP API with one key. Every answer body is kept as text so <c>--json</c> can print it as is.</summary>
public sealed class ApiClient(Uri baseAddress, string key) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http = new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
        Timeout = TimeSpan.FromSeconds(100),
    };

    public Task<string> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<string> PostAsync(string path, object? body, CancellationToken cancellationToken) =>
        PostRawAsync(path, body is null ? null : JsonSerializer.Serialize(body, Json), cancellationToken);

    public Task<string> PostRawAsync(string path, string? json, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Post, path, json, cancellationToken);

    public Task<string> PatchAsync(string path, object body, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Patch, path, JsonSerializer.Serialize(body, Json), cancellationToken);

    private Task<string> SendJsonAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(method, path)
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        }, cancellationToken);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException($"The API answered an empty {typeof(T).Name}.");

    private async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var sent = request;
        using var response = await TrySendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        var status = (int)response.StatusCode;
        var (title, detail, field) = ReadProblem(body);
        title ??= response.ReasonPhrase ?? "Error";
        if (status >= 500)
        {
            throw new HttpRequestException($"{_http.BaseAddress} failed: {title} ({status}){(detail is null ? "" : ": " + detail)}");
        }

        throw new ApiException(status, title, detail ?? HintFor(status), field);
    }

    private async Task<HttpResponseMessage> TrySendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new HttpRequestException($"cannot reach {_http.BaseAddress}: {exception.Message}", exception);
        }
    }

    private static (string? Title, string? Detail, string? Field) ReadProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? (Text(root, "title"), Text(root, "detail"), Text(root, "field"))
                : (null, null, null);
        }
        catch (JsonException)
        {
            return (null, string.IsNullOrWhiteSpace(body) ? null : body.Trim(), null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? HintFor(int status) => status switch
    {
        401 => "the key was not accepted: check --key or ORLEANSEXPORT_KEY.",
        403 => "this key's role may not do that.",
        _ => null,
    };

    public void Dispose() => _http.Dispose();
}
