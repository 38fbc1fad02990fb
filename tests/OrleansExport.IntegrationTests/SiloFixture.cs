using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExport.Silo.Hosting;
using OrleansExport.Simulator;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// The real silo host (Orleans silo + HTTP API) in this process on loopback ports, with the
/// ActiveCampaign simulator over real HTTP, and every log line captured (Trace, Orleans runtime from Information).
/// Other test projects derive their own fixtures from it, changing the settings through the virtual members.
/// </summary>
public class SiloFixture : IAsyncLifetime
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string ContributorKey = "contributor-key-0123456789";
    public const string ViewerKey = "viewer-key-0123456789abcdef";
    public const string IngestKey = "ingest-key-0123456789abcdef";

    /// <summary>Segments whose ids start with this are in the scoped keys' scope.</summary>
    public const string ScopePrefix = "scoped-";
    public const string ScopedContributorKey = "scoped-contributor-key-0123456789";
    public const string ScopedIngestKey = "scoped-ingest-key-0123456789abcd";
    public const string ScopedViewerKey = "scoped-viewer-key-0123456789abcd";
    public const string SimulatorApiKey = "sim-secret-key-7f3a9c2e5b1d4086";
    public const double TimeScale = 1;
    public const int MaxIngestBytes = 1024 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private WebApplication? _app;

    public ActiveCampaignSimulator Simulator { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>Every response body the tests read, so the secrets test can search them.</summary>
    public ConcurrentQueue<string> ResponseBodies { get; } = new();

    public IServiceProvider Services => _app!.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>Level of the Orleans runtime's own log categories.</summary>
    protected virtual LogLevel OrleansLogLevel => LogLevel.Information;

    protected virtual SimulatorOptions SimulatorOptions() => new() { ApiKeys = [SimulatorApiKey], TimeScale = TimeScale };

    /// <summary>Settings after the defaults: the last value of a key wins.</summary>
    protected virtual IEnumerable<string> ExtraArgs() => [];

    /// <summary>Services registered before the host's own (which are added with TryAdd where replaceable).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        Simulator = await ActiveCampaignSimulator.StartAsync(SimulatorOptions());
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Demo:Enabled=false",
            $"--Orleans:SiloPort={FreePort()}",
            $"--Orleans:GatewayPort={FreePort()}",
            $"--Api:Keys:0:Key={AdminKey}", "--Api:Keys:0:Role=Admin", "--Api:Keys:0:User=alice",
            $"--Api:Keys:1:Key={ContributorKey}", "--Api:Keys:1:Role=Contributor", "--Api:Keys:1:User=carol",
            $"--Api:Keys:2:Key={ViewerKey}", "--Api:Keys:2:Role=Viewer", "--Api:Keys:2:User=victor",
            $"--Api:Keys:3:Key={IngestKey}", "--Api:Keys:3:Role=Ingest", "--Api:Keys:3:User=upstream",
            $"--Api:Keys:4:Key={ScopedContributorKey}", "--Api:Keys:4:Role=Contributor", "--Api:Keys:4:User=sam",
            $"--Api:Keys:4:Segments:0={ScopePrefix}*", "--Api:Keys:4:Segments:1=vip-exact",
            $"--Api:Keys:5:Key={ScopedIngestKey}", "--Api:Keys:5:Role=Ingest", "--Api:Keys:5:User=upstream-eu",
            $"--Api:Keys:5:Segments:0={ScopePrefix}*",
            $"--Api:Keys:6:Key={ScopedViewerKey}", "--Api:Keys:6:Role=Viewer", "--Api:Keys:6:User=vera",
            $"--Api:Keys:6:Segments:0={ScopePrefix}*",
            "--ActiveCampaign:AllowInsecureLoopback=true",
            $"--ActiveCampaign:Limits:TimeScale={TimeScale}",
            "--Export:MaxBatchDelay=00:00:01",
            "--Export:ShardCount=4",
            $"--Ingest:MaxRequestBytes={MaxIngestBytes}",
            .. ExtraArgs(),
        ];
        _app = SiloApp.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);

            // The Orleans runtime at Trace floods a 2-core machine and delays requests enough to trip
            // ActiveCampaign's short scaled windows; the secrets test captures it at Trace on its own.
            builder.Logging.AddFilter("Orleans", OrleansLogLevel);
            builder.Logging.AddProvider(new CapturingLoggerProvider(LogLines));
            ConfigureServices(builder.Services);
        });
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}

public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The structured values too: sinks such as JSON or OpenTelemetry write them out.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
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
