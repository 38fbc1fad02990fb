using System.Net;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// The hosting profile chosen by configuration (docs/api.md section 3): bound from the configuration's root by
/// <see cref="Read"/> and checked there by <see cref="HostSettingsValidator"/>, before the host is built from it.
/// </summary>
public sealed class HostSettings
{
    public const string Memory = "Memory";
    public const string Localhost = "Localhost";
    public const string AzureStorage = "AzureStorage";
    public const string EventHubs = "EventHubs";

    /// <summary>Section <c>Orleans</c>: profile, cluster identity, ports, TLS.</summary>
    public OrleansSection Orleans { get; set; } = new();

    /// <summary>Section <c>DataProtection</c>: the certificate that encrypts the Data Protection key ring.</summary>
    public CertificateSettings DataProtection { get; set; } = new();

    /// <summary>Section <c>EventHubs</c>: which hub and consumer group to read.</summary>
    [ConfigurationKeyName("EventHubs")]
    public EventHubSection Hub { get; set; } = new();

    /// <summary>Section <c>ConnectionStrings</c>.</summary>
    public ConnectionStringsSection ConnectionStrings { get; set; } = new();

    /// <summary>Section <c>Ingest</c>, as far as the host reads it (the rest is <see cref="Api.IngestOptions"/>).</summary>
    public IngestRequestSection Ingest { get; set; } = new();

    /// <summary><c>Metrics:RequireKey</c>: when true, <c>/metrics</c> needs an Admin or Viewer key.</summary>
    public MetricsSection Metrics { get; set; } = new();

    /// <summary><c>Upgrade:WritePreviousFormats</c>: during a rolling upgrade, write only what the version before reads.</summary>
    public UpgradeSection Upgrade { get; set; } = new();

    public bool IsDevelopment { get; private set; }

    public string Storage => Orleans.Storage;

    public string Clustering => Orleans.Clustering;

    public string Streaming => Orleans.Streaming;

    public string? AzureStorageConnectionString => ConnectionStrings.AzureStorage;

    public string ClusterId => Orleans.ClusterId;

    public string ServiceId => Orleans.ServiceId;

    public int SiloPort => Orleans.SiloPort;

    public int GatewayPort => Orleans.GatewayPort ?? OrleansSection.DefaultGatewayPort;

    public long MaxIngestRequestBytes => Ingest.MaxRequestBytes;

    /// <summary>The upstream event hub; set when <see cref="Streaming"/> is <see cref="EventHubs"/>.</summary>
    public EventHubSettings? EventHub { get; private set; }

    /// <summary>The address other silos reach this one at (<c>Orleans:AdvertisedIP</c>); null: this host's own address.</summary>
    public IPAddress? AdvertisedIP => string.IsNullOrWhiteSpace(Orleans.AdvertisedIP) ? null : IPAddress.Parse(Orleans.AdvertisedIP);

    /// <summary>Whether the silo serves Orleans clients (a gateway on <see cref="GatewayPort"/>): always with Localhost clustering, else only when <c>Orleans:GatewayPort</c> is set.</summary>
    public bool GatewayEnabled => Clustering == Localhost || Orleans.GatewayPort is not null;

    /// <summary>The cluster's TLS certificate (<c>Orleans:Tls</c>): silo-to-silo and gateway traffic is TLS when set; required with AzureStorage clustering outside Development.</summary>
    public CertificateSettings? ClusterTls => Orleans.Tls.IsSet ? Orleans.Tls : null;

    /// <summary>The certificate that encrypts the Data Protection key ring (<c>DataProtection</c>); required with AzureStorage storage outside Development.</summary>
    public CertificateSettings? KeyRingCertificate => DataProtection.IsSet ? DataProtection : null;

    public bool UsesAzureStorage => Storage == AzureStorage || Clustering == AzureStorage || Streaming == EventHubs;

    /// <summary>Binds and checks the settings; a missing or invalid one throws <see cref="OptionsValidationException"/> naming it.</summary>
    public static HostSettings Read(IConfiguration configuration, bool isDevelopment)
    {
        var settings = SettingsBinder.Get<HostSettings>(configuration);
        settings.IsDevelopment = isDevelopment;
        var result = new HostSettingsValidator().Validate(null, settings);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(HostSettings), typeof(HostSettings), result.Failures);
        }

        if (settings.Streaming == EventHubs)
        {
            var connectionString = settings.ConnectionStrings.EventHubs!;
            var name = settings.Hub.Name is { Length: > 0 } configured ? configured : EventHubsConnectionStringProperties.Parse(connectionString).EventHubName;
            var group = string.IsNullOrWhiteSpace(settings.Hub.ConsumerGroup) ? EventHubSettings.DefaultConsumerGroup : settings.Hub.ConsumerGroup;
            settings.EventHub = new EventHubSettings(connectionString, name!, group);
        }

        return settings;
    }
}

public sealed class OrleansSection
{
    public const int DefaultGatewayPort = 30000;

    public string Storage { get; set; } = HostSettings.Memory;

    public string Clustering { get; set; } = HostSettings.Localhost;

    public string Streaming { get; set; } = HostSettings.Memory;

    public string ClusterId { get; set; } = "dev";

    public string ServiceId { get; set; } = "orleans-export";

    public int SiloPort { get; set; } = 11111;

    /// <summary>Null: not configured (no gateway with AzureStorage clustering).</summary>
    public int? GatewayPort { get; set; }

    public string? AdvertisedIP { get; set; }

    /// <summary><c>Orleans:Tls</c>: the cluster's certificate.</summary>
    public CertificateSettings Tls { get; set; } = new();

    /// <summary><c>Orleans:Membership</c>: how fast a dead silo is declared dead (AzureStorage clustering).</summary>
    public MembershipSection Membership { get; set; } = new();
}

/// <summary>
/// How the cluster declares a silo dead (docs/production.md, "After a silo dies"): a silo that misses
/// <see cref="NumMissedProbesLimit"/> probes in a row is suspected, and dead once enough silos voted so. Until
/// then, its grains (an export's delivery loop, its shards) are nowhere, so these bound how long delivery stops.
/// </summary>
public sealed class MembershipSection
{
    /// <summary>
    /// The initial probe timeout; Orleans adapts it to the answers it sees, between half and four times this value,
    /// and lengthens it while this silo itself is degraded (a busy machine, long GC pauses). Orleans' default: 5 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes in a row before a silo is suspected (Orleans' default, 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>Suspicions needed to declare a silo dead (Orleans' default, 2; a two-silo cluster needs one).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How long a suspicion counts (Orleans' default: 2 minutes).</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public void ApplyTo(Orleans.Configuration.ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
    }
}

public sealed class EventHubSection
{
    /// <summary>Null: the EntityPath of the connection string.</summary>
    public string? Name { get; set; }

    public string? ConsumerGroup { get; set; }
}

public sealed class ConnectionStringsSection
{
    public string? AzureStorage { get; set; }

    public string? EventHubs { get; set; }
}

public sealed class MetricsSection
{
    public bool RequireKey { get; set; }
}

public sealed class UpgradeSection
{
    /// <summary>
    /// Shard journals written uncompressed and event batches (journaled, or on memory streams) in their version 2 form: what a
    /// silo of the version before this one reads, while both run in one cluster (docs/production.md, "Upgrading a running cluster").
    /// </summary>
    public bool WritePreviousFormats { get; set; }
}

public sealed class IngestRequestSection
{
    public const int MinRequestBytes = 1024;

    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>Where upstream events come from in the <c>EventHubs</c> streaming profile.</summary>
public sealed record EventHubSettings(string ConnectionString, string Name, string ConsumerGroup)
{
    public const string DefaultConsumerGroup = "$Default";
}
