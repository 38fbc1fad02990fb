using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OrleansExport.Grains;
using OrleansExport.Silo.Api;
using OrleansExport.TestSupport;

namespace OrleansExport.LoadTests.Targets;

/// <summary>The real silo host (Orleans, HTTP API, memory streams) started in this process on free ports, as the tests start it.</summary>
internal sealed class InProcessSiloTarget : ILoadTarget
{
    private const int WarningsKept = 200;

    private readonly InProcessSilo _silo;
    private readonly CapturingLoggerProvider _warnings;
    private readonly HttpEventSink? _httpSink;

    private InProcessSiloTarget(InProcessSilo silo, CapturingLoggerProvider warnings, IEventSink events, HttpEventSink? httpSink)
    {
        _silo = silo;
        BareStream = new BareStreamSink(silo.Services.GetRequiredService<IClusterClient>());
        _warnings = warnings;
        Events = events;
        _httpSink = httpSink;
    }

    public IGrainFactory Grains => _silo.Grains;

    public IEventSink Events { get; }

    public IEventSink? BareStream { get; }

    public bool SiloInProcess => true;

    public int ShardCount => _silo.Services.GetRequiredService<IOptions<ExportOptions>>().Value.ShardCount;

    public TimeSpan ShardPersistInterval => _silo.Services.GetRequiredService<IOptions<ExportOptions>>().Value.ShardPersistInterval;

    /// <summary>The silo's newest warnings and errors, for the summary instead of over the live display.</summary>
    public IReadOnlyList<string> Warnings => _warnings.Lines;

    /// <param name="azure">With <c>--storage azurite</c>: the storage of the production profile, whose key ring is encrypted with a certificate.</param>
    public static async Task<InProcessSiloTarget> StartAsync(LoadTestOptions options, HarnessAzurite? azure, CancellationToken cancellationToken)
    {
        var apiKey = "lt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var settings = TestSettings.Defaults()
            .WithApiKey(0, apiKey, "Admin", "loadtest")
            .With("ActiveCampaign:Limits:TimeScale", options.TimeScale.ToString(CultureInfo.InvariantCulture))
            // A partial batch waits at most MaxBatchDelay: keep the default's 30 s at real limits.
            .With("Export:MaxBatchDelay", (TimeSpan.FromSeconds(30) / options.TimeScale).ToString());
        if (azure is not null)
        {
            settings.With("Orleans:Storage", "AzureStorage")
                .With("ConnectionStrings:AzureStorage", azure.ConnectionString)
                .With("Orleans:ServiceId", $"loadtest-{Guid.NewGuid():N}")
                .With("DataProtection:CertificatePath", azure.KeyRingCertificatePath)
                .With("DataProtection:CertificatePassword", azure.KeyRingCertificatePassword);
        }

        foreach (var setting in options.SiloSettings)
        {
            var (key, value) = setting.Split('=', 2) is [var k, var v] ? (k, v) : (setting, "");
            settings[key] = value;
        }

        var warnings = new CapturingLoggerProvider(LogLevel.Warning, WarningsKept);
        var silo = await InProcessSilo.StartAsync(settings, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(warnings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }, cancellationToken);

        HttpEventSink? httpSink = null;
        IEventSink events = new StreamEventSink(silo.Services.GetRequiredService<SegmentEventPublisher>());
        if (options.Ingest == IngestMode.Http)
        {
            httpSink = new HttpEventSink(silo.BaseAddress, apiKey);
            events = httpSink;
        }

        return new InProcessSiloTarget(silo, warnings, events, httpSink);
    }

    public async ValueTask DisposeAsync()
    {
        _httpSink?.Dispose();
        await _silo.DisposeAsync();
    }
}
