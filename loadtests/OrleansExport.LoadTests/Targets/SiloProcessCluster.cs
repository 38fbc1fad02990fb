using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Orleans.Configuration;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.Hosting;
using OrleansExport.TestSupport;

namespace OrleansExport.LoadTests.Targets;

/// <summary>
/// <c>--kill-silo</c>: the production profile as separate silo processes (the real host, in Production) clustered
/// through Azure Storage, with grain state, shard journals and reminders there too, mutual TLS between them and a
/// gateway each; this tool reaches them as an Orleans client. Streams stay in memory (no Event Hubs here), so events
/// go in before the kill, as in the production tests. One silo can be killed with no shutdown (<see cref="KillSiloOf"/>).
/// </summary>
internal sealed class SiloProcessCluster : ILoadTarget
{
    public const int SiloCount = 2;
    private const int WarningsKept = 200;

    private readonly List<(SiloProcess Process, int SiloPort)> _silos;
    private readonly IHost _client;
    private readonly HttpEventSink? _httpSink;

    private SiloProcessCluster(List<(SiloProcess, int)> silos, IHost client, IEventSink events, HttpEventSink? httpSink, int shardCount)
    {
        _silos = silos;
        _client = client;
        Events = events;
        _httpSink = httpSink;
        ShardCount = shardCount;
    }

    public IGrainFactory Grains => _client.Services.GetRequiredService<IGrainFactory>();

    public IEventSink Events { get; }

    public IEventSink? BareStream => null;

    public bool SiloInProcess => false;

    public int ShardCount { get; }

    public TimeSpan ShardPersistInterval => TimeSpan.Zero;

    /// <summary>What the silo processes logged at warning level and above, newest last.</summary>
    public IReadOnlyList<string> Warnings =>
    [
        .. _silos.SelectMany(silo => silo.Process.Output.Split('\n')
            .Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            .Select(line => $"{silo.Process.Name}: {line.TrimEnd()}"))
            .TakeLast(WarningsKept),
    ];

    public static async Task<SiloProcessCluster> StartAsync(LoadTestOptions options, HarnessAzurite azure, CancellationToken cancellationToken)
    {
        var clusterId = $"loadtest-{Guid.NewGuid():N}"[..21];
        var apiKey = "lt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var settings = TestSettings.Common()
            .WithApiKey(0, apiKey, "Admin", "loadtest")
            .With("Orleans:Storage", "AzureStorage")
            .With("Orleans:Clustering", "AzureStorage")
            .With("ConnectionStrings:AzureStorage", azure.ConnectionString)
            .With("Orleans:ClusterId", clusterId)
            .With("Orleans:ServiceId", clusterId)
            .With("Orleans:AdvertisedIP", "127.0.0.1")
            // One throwaway certificate for TLS between the silos (and this client) and for the key ring.
            .With("Orleans:Tls:CertificatePath", azure.KeyRingCertificatePath)
            .With("Orleans:Tls:CertificatePassword", azure.KeyRingCertificatePassword)
            .With("DataProtection:CertificatePath", azure.KeyRingCertificatePath)
            .With("DataProtection:CertificatePassword", azure.KeyRingCertificatePassword)
            .With("ActiveCampaign:Limits:TimeScale", options.TimeScale.ToString(CultureInfo.InvariantCulture))
            .With("Export:MaxBatchDelay", (TimeSpan.FromSeconds(30) / options.TimeScale).ToString())
            .With("Logging:LogLevel:Default", "Warning")
            .With("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning")
            .With("Logging:LogLevel:Orleans", "Error");
        foreach (var setting in options.SiloSettings)
        {
            var (key, value) = setting.Split('=', 2) is [var k, var v] ? (k, v) : (setting, "");
            settings[key] = value;
        }

        var silos = new List<(SiloProcess, int)>();
        try
        {
            await Task.WhenAll(Enumerable.Range(1, SiloCount).Select(async n =>
            {
                var own = new Dictionary<string, string?>(settings).WithFreePorts();
                var process = await SiloProcess.StartAsync($"silo-{n}", own);
                lock (silos)
                {
                    silos.Add((process, int.Parse(own["Orleans:SiloPort"]!, CultureInfo.InvariantCulture)));
                }

                await Readiness.WaitAsync(process.BaseAddress, TimeSpan.FromSeconds(90));
            }));
            silos.Sort((a, b) => string.CompareOrdinal(a.Item1.Name, b.Item1.Name));

            var client = await ConnectAsync(azure, clusterId, cancellationToken);
            HttpEventSink? httpSink = null;
            IEventSink events = new StreamEventSink(new SegmentEventPublisher(client.Services.GetRequiredService<IClusterClient>()));
            if (options.Ingest == IngestMode.Http)
            {
                httpSink = new HttpEventSink(silos[0].Item1.BaseAddress, apiKey);
                events = httpSink;
            }

            var shardCount = settings.TryGetValue("Export:ShardCount", out var configured) && configured is not null
                ? int.Parse(configured, CultureInfo.InvariantCulture)
                : new OrleansExport.Grains.ExportOptions().ShardCount;
            return new SiloProcessCluster(silos, client, events, httpSink, shardCount);
        }
        catch
        {
            foreach (var (process, _) in silos)
            {
                await process.DisposeAsync();
            }

            throw;
        }
    }

    private static async Task<IHost> ConnectAsync(HarnessAzurite azure, string clusterId, CancellationToken cancellationToken)
    {
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
            azure.KeyRingCertificatePath, azure.KeyRingCertificatePassword, System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.EphemeralKeySet);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            })
            .UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(azure.ConnectionString))
            .UseClusterTls(certificate)
            .AddMemoryStreams(Constants.StreamProvider)
            // Creating an export backfills it before it answers: with a million members in Azurite, longer than Orleans' 30 s.
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(10)));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>kill -9 of the silo that holds <paramref name="grain"/>'s activation (the export's: the one sending); its name and when it died.</summary>
    public async Task<(string Silo, DateTimeOffset KilledAt)> KillSiloOf(IAddressable grain)
    {
        var address = await Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain)
            ?? throw new InvalidOperationException("The export has no activation to kill.");
        var (process, _) = _silos.Single(silo => silo.SiloPort == address.Endpoint.Port);
        process.Kill();
        return (process.Name, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        _httpSink?.Dispose();
        try
        {
            await _client.StopAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // A client of a cluster that lost a silo may not stop cleanly; the silos go next anyway.
        }

        _client.Dispose();
        foreach (var (process, _) in _silos)
        {
            await process.DisposeAsync();
        }
    }
}
