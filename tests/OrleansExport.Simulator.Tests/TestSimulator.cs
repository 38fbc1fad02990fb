using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansExport.Simulator.Tests;

/// <summary>A simulator on a free loopback port plus a client carrying a valid key.</summary>
internal sealed class TestSimulator : IAsyncDisposable
{
    public const string ApiKey = "sim-key-1";

    private TestSimulator(ActiveCampaignSimulator simulator)
    {
        Simulator = simulator;
        Client = new HttpClient { BaseAddress = simulator.BaseAddress };
        Client.DefaultRequestHeaders.Add("Api-Token", ApiKey);
    }

    public ActiveCampaignSimulator Simulator { get; }

    public SimulatorState State => Simulator.State;

    public HttpClient Client { get; }

    /// <summary>
    /// Starts with limits out of the way (tests of a limit set it back) and imports applied at once, unless
    /// <paramref name="configure"/> says otherwise.
    /// </summary>
    public static async Task<TestSimulator> StartAsync(Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SimulatorOptions
        {
            RequestsPerSecond = 100_000,
            BulkImportsPerMinute = 100_000,
            SingleContactImportsPerMinute = 100_000,
            ImportApplyDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return new TestSimulator(await ActiveCampaignSimulator.StartAsync(options, time ?? TimeProvider.System));
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => PostRawAsync(path, JsonSerializer.Serialize(body));

    public Task<HttpResponseMessage> PostRawAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PutJsonAsync(string path, object body) =>
        Client.PutAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    /// <summary>Posts a bulk import of the given contacts; returns the batch id.</summary>
    public async Task<string> ImportAsync(params object[] contacts)
    {
        using var response = await PostJsonAsync("api/3/import/bulk_import", new { contacts });
        var json = await ReadJsonAsync(response);
        Assert.Equal(200, (int)response.StatusCode);
        return json["batchId"]!.GetValue<string>();
    }

    public async Task<JsonNode> GetImportInfoAsync(string batchId)
    {
        using var response = await Client.GetAsync($"api/3/import/info?batchId={batchId}");
        Assert.Equal(200, (int)response.StatusCode);
        return await ReadJsonAsync(response);
    }

    public SimContact SingleContact(string listId) => Assert.Single(State.GetListContacts(listId));

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty JSON body.");

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : throw new Xunit.Sdk.XunitException($"No {name} header.");

    public static object Contact(string email, string? listId = "1") =>
        new { email, first_name = "First", subscribe = listId is null ? Array.Empty<object>() : [new { listid = listId }] };

    public static object[] Contacts(int count, string prefix = "c") =>
        Enumerable.Range(0, count).Select(i => Contact($"{prefix}{i}@example.com")).ToArray();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulator.DisposeAsync();
    }
}

/// <summary>A body sent chunked, without Content-Length.</summary>
internal sealed class UnknownLengthContent(string text) : HttpContent
{
    private readonly byte[] _bytes = Encoding.UTF8.GetBytes(text);

    public UnknownLengthContent(string text, string mediaType) : this(text) => Headers.ContentType = new MediaTypeHeaderValue(mediaType);

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
