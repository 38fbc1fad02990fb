using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OrleansExport.Grains;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.LoadTests.Targets;

/// <summary>The real silo host (Orleans, HTTP API, memory streams) started in this process on free ports.</summary>
internal sealed class InProcessSilo : ILoadTarget
{
    private readonly WebApplication _app;
    private readonly WarningLog _warnings;
    private readonly HttpEventSink? _httpSink;

    private InProcessSilo(WebApplication app, WarningLog warnings, IEventSink events, HttpEventSink? httpSink)
    {
        _app = app;
        BareStream = new StreamEventSink(new SegmentEventPublisher(app.Services.GetRequiredService<IClusterClient>(), BareStreamCounterGrain.Namespace));
        _warnings = warnings;
        Events = events;
        _httpSink = httpSink;
    }

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public IEventSink Events { get; }

    public IEventSink? BareStream { get; }

    public bool SiloInProcess => true;

    public int ShardCount => _app.Services.GetRequiredService<IOptions<ExportOptions>>().Value.ShardCount;

    public TimeSpan ShardPersistInterval => _app.Services.GetRequiredService<IOptions<ExportOptions>>().Value.ShardPersistInterval;

    public IReadOnlyList<string> Warnings => _warnings.Snapshot();

    /// <param name="azure">With <c>--storage azurite</c>: the storage of the production profile, whose key ring is encrypted with a certificate.</param>
    public static async Task<InProcessSilo> StartAsync(LoadTestOptions options, HarnessAzurite? azure, CancellationToken cancellationToken)
    {
        var apiKey = "lt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Demo:Enabled=false",
            $"--Api:Keys:0:Key={apiKey}",
            "--Api:Keys:0:Role=Admin",
            "--Api:Keys:0:User=loadtest",
            "--ActiveCampaign:AllowInsecureLoopback=true",
            $"--ActiveCampaign:Limits:TimeScale={options.TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            // A partial batch waits at most MaxBatchDelay: keep the default's 30 s at real limits.
            $"--Export:MaxBatchDelay={TimeSpan.FromSeconds(30) / options.TimeScale}",
            $"--Orleans:SiloPort={FreePort()}",
            $"--Orleans:GatewayPort={FreePort()}",
            .. azure is null ? [] : (string[])
            [
                "--Orleans:Storage=AzureStorage",
                $"--ConnectionStrings:AzureStorage={azure.ConnectionString}",
                $"--Orleans:ServiceId=loadtest-{Guid.NewGuid():N}",
                $"--DataProtection:CertificatePath={azure.KeyRingCertificatePath}",
                $"--DataProtection:CertificatePassword={azure.KeyRingCertificatePassword}",
            ],
            .. options.SiloSettings.Select(setting => "--" + setting),
        ];

        var warnings = new WarningLog();
        var app = SiloApp.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(warnings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync(cancellationToken);

        HttpEventSink? httpSink = null;
        IEventSink events = new StreamEventSink(app.Services.GetRequiredService<SegmentEventPublisher>());
        if (options.Ingest == IngestMode.Http)
        {
            httpSink = new HttpEventSink(new Uri(app.Urls.First().TrimEnd('/') + "/"), apiKey);
            events = httpSink;
        }

        return new InProcessSilo(app, warnings, events, httpSink);
    }

    public async ValueTask DisposeAsync()
    {
        _httpSink?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
