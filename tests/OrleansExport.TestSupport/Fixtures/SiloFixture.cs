using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExport.Simulator;
using OrleansExport.TestSupport;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// The real silo host (<see cref="InProcessSilo"/>: Orleans silo + HTTP API) on loopback ports, with the
/// ActiveCampaign simulator over real HTTP, a key per role and scope, and every log line captured (Trace, Orleans
/// runtime from Information). Other test projects derive their own fixtures from it, changing the settings through
/// the virtual members.
/// </summary>
public class SiloFixture : IAsyncLifetime
{
    public const string AdminKey = TestKeys.Admin;
    public const string ContributorKey = TestKeys.Contributor;
    public const string ViewerKey = TestKeys.Viewer;
    public const string IngestKey = TestKeys.Ingest;

    /// <summary>Segments whose ids start with this are in the scoped keys' scope.</summary>
    public const string ScopePrefix = TestKeys.ScopePrefix;
    public const string ScopedContributorKey = TestKeys.ScopedContributor;
    public const string ScopedIngestKey = TestKeys.ScopedIngest;
    public const string ScopedViewerKey = TestKeys.ScopedViewer;
    public const string ScopedAdminKey = TestKeys.ScopedAdmin;
    public const string SimulatorApiKey = TestKeys.Simulator;
    public const double TimeScale = 1;
    public const int MaxIngestBytes = 1024 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly CapturingLoggerProvider _logs = new();
    private InProcessSilo? _silo;

    public ActiveCampaignSimulator Simulator { get; private set; } = null!;

    public Uri BaseAddress => _silo!.BaseAddress;

    public ConcurrentQueue<string> LogLines => _logs.Queue;

    /// <summary>Every response body the tests read, so the secrets test can search them.</summary>
    public ConcurrentQueue<string> ResponseBodies { get; } = new();

    public IServiceProvider Services => _silo!.Services;

    public IGrainFactory Grains => _silo!.Grains;

    /// <summary>Level of the Orleans runtime's own log categories.</summary>
    protected virtual LogLevel OrleansLogLevel => LogLevel.Information;

    protected virtual SimulatorOptions SimulatorOptions() => new() { ApiKeys = [SimulatorApiKey], TimeScale = TimeScale };

    /// <summary>Settings after the defaults, as <c>--Key=Value</c>: the last value of a key wins.</summary>
    protected virtual IEnumerable<string> ExtraArgs() => [];

    /// <summary>Services registered before the host's own (which are added with TryAdd where replaceable).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        Simulator = await ActiveCampaignSimulator.StartAsync(SimulatorOptions());
        var settings = TestSettings.Defaults()
            .WithApiKey(0, AdminKey, "Admin", "alice")
            .WithApiKey(1, ContributorKey, "Contributor", "carol")
            .WithApiKey(2, ViewerKey, "Viewer", "victor")
            .WithApiKey(3, IngestKey, "Ingest", "upstream")
            .WithApiKey(4, ScopedContributorKey, "Contributor", "sam", $"{ScopePrefix}*", "vip-exact")
            .WithApiKey(5, ScopedIngestKey, "Ingest", "upstream-eu", $"{ScopePrefix}*")
            .WithApiKey(6, ScopedViewerKey, "Viewer", "vera", $"{ScopePrefix}*")
            .WithApiKey(7, ScopedAdminKey, "Admin", "ada", $"{ScopePrefix}*")
            .With("ActiveCampaign:Limits:TimeScale", TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Export:ShardCount", "4")
            .With("Ingest:MaxRequestBytes", MaxIngestBytes.ToString());
        foreach (var argument in ExtraArgs())
        {
            var (key, value) = argument.TrimStart('-').Split('=', 2) is [var k, var v] ? (k, v) : (argument.TrimStart('-'), "true");
            settings[key] = value;
        }

        _silo = await InProcessSilo.StartAsync(settings, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);

            // The Orleans runtime at Trace floods a 2-core machine and delays requests enough to trip
            // ActiveCampaign's short scaled windows; the secrets test captures it at Trace on its own.
            builder.Logging.AddFilter("Orleans", OrleansLogLevel);
            builder.Logging.AddProvider(_logs);
            ConfigureServices(builder.Services);
        });
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        await Simulator.DisposeAsync();
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = new HttpClient(new RecordingHandler(ResponseBodies)) { BaseAddress = BaseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> bodies) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            bodies.Enqueue(response.Headers + (await response.Content.ReadAsStringAsync(cancellationToken)));
            return response;
        }
    }
}

public static class HttpJson
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(SiloFixture.Json))!;

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, SiloFixture.Json);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, SiloFixture.Json);
}
