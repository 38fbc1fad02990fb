using OrleansExport.Silo.Api;

namespace OrleansExport.LoadTests.Targets;

/// <summary>
/// A running localhost cluster reached through its gateway. The cluster must use memory streams,
/// allow loopback ActiveCampaign hosts and run at the same time scale as this tool.
/// </summary>
internal sealed class ClusterClient : ILoadTarget
{
    private readonly IHost _host;
    private readonly HttpEventSink? _httpSink;

    private ClusterClient(IHost host, IEventSink events, HttpEventSink? httpSink)
    {
        _host = host;
        Events = events;
        _httpSink = httpSink;
    }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IEventSink Events { get; }

    public IEventSink? BareStream => null;

    public bool SiloInProcess => false;

    public int ShardCount => 0;

    public TimeSpan ShardPersistInterval => TimeSpan.Zero;

    public IReadOnlyList<string> Warnings => [];

    public static async Task<ClusterClient> ConnectAsync(LoadTestOptions options, int gatewayPort, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(gatewayPort, serviceId: "orleans-export", clusterId: "dev")
            .AddMemoryStreams(Constants.StreamProvider));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);

        HttpEventSink? httpSink = null;
        IEventSink events = new StreamEventSink(new SegmentEventPublisher(host.Services.GetRequiredService<IClusterClient>()));
        if (options.Ingest == IngestMode.Http)
        {
            if (options.ApiUrl is null || options.ApiKey is null)
            {
                throw new ArgumentException("--ingest http against a running cluster needs --api-url and --api-key.");
            }

            httpSink = new HttpEventSink(options.ApiUrl, options.ApiKey);
            events = httpSink;
        }

        return new ClusterClient(host, events, httpSink);
    }

    public async ValueTask DisposeAsync()
    {
        _httpSink?.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}
