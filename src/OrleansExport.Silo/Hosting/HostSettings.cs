using System.Net;
using Azure.Messaging.EventHubs;
using Azure.Storage.Blobs;

namespace OrleansExport.Silo.Hosting;

/// <summary>The hosting profile chosen by configuration (docs/api.md section 3), checked at start.</summary>
public sealed record HostSettings(
    string Storage,
    string Clustering,
    string Streaming,
    string? AzureStorageConnectionString,
    string ClusterId,
    string ServiceId,
    int SiloPort,
    int GatewayPort,
    bool DemoEnabled,
    int DemoProfiles,
    long MaxIngestRequestBytes)
{
    public const string Memory = "Memory";
    public const string Localhost = "Localhost";
    public const string AzureStorage = "AzureStorage";
    public const string EventHubs = "EventHubs";

    /// <summary>The upstream event hub; set when <see cref="Streaming"/> is <see cref="EventHubs"/>.</summary>
    public EventHubSettings? EventHub { get; init; }

    /// <summary>The address other silos reach this one at (<c>Orleans:AdvertisedIP</c>); null: this host's own address.</summary>
    public IPAddress? AdvertisedIP { get; init; }

    /// <summary>Whether the silo serves Orleans clients (a gateway on <see cref="GatewayPort"/>): always with Localhost clustering, else only when <c>Orleans:GatewayPort</c> is set.</summary>
    public bool GatewayEnabled { get; init; } = true;

    /// <summary>The cluster's TLS certificate (<c>Orleans:Tls</c>): silo-to-silo and gateway traffic is TLS when set; required with AzureStorage clustering outside Development.</summary>
    public CertificateSettings? ClusterTls { get; init; }

    /// <summary>The certificate that encrypts the Data Protection key ring (<c>DataProtection</c>); required with AzureStorage storage outside Development.</summary>
    public CertificateSettings? KeyRingCertificate { get; init; }

    public bool UsesAzureStorage => Storage == AzureStorage || Clustering == AzureStorage || Streaming == EventHubs;

    public static HostSettings Read(IConfiguration configuration, bool isDevelopment)
    {
        var settings = new HostSettings(
            Storage: configuration["Orleans:Storage"] ?? Memory,
            Clustering: configuration["Orleans:Clustering"] ?? Localhost,
            Streaming: configuration["Orleans:Streaming"] ?? Memory,
            AzureStorageConnectionString: configuration.GetConnectionString("AzureStorage"),
            ClusterId: configuration["Orleans:ClusterId"] ?? "dev",
            ServiceId: configuration["Orleans:ServiceId"] ?? "orleans-export",
            SiloPort: ReadInt(configuration, "Orleans:SiloPort", 11111, 1, 65535),
            GatewayPort: ReadInt(configuration, "Orleans:GatewayPort", 30000, 1, 65535),
            DemoEnabled: ReadBool(configuration, "Demo:Enabled", isDevelopment),
            DemoProfiles: ReadInt(configuration, "Demo:Profiles", 10_000, 1, 10_000_000),
            MaxIngestRequestBytes: ReadInt(configuration, "Ingest:MaxRequestBytes", 16 * 1024 * 1024, 1024, int.MaxValue))
        {
            AdvertisedIP = ReadAddress(configuration, "Orleans:AdvertisedIP"),
            GatewayEnabled = (configuration["Orleans:Clustering"] ?? Localhost) == Localhost || configuration["Orleans:GatewayPort"] is not null,
            ClusterTls = CertificateSettings.Read(configuration, "Orleans:Tls"),
            KeyRingCertificate = CertificateSettings.Read(configuration, "DataProtection"),
        };

        Require(settings.Storage, "Orleans:Storage", Memory, AzureStorage);
        Require(settings.Clustering, "Orleans:Clustering", Localhost, AzureStorage);
        Require(settings.Streaming, "Orleans:Streaming", Memory, EventHubs);
        if (settings.UsesAzureStorage)
        {
            RequireAzureStorageConnectionString(settings);
        }

        if (!isDevelopment && settings.Clustering == AzureStorage && settings.ClusterTls is null)
        {
            throw new InvalidSettingException("Orleans:Clustering=AzureStorage needs Orleans:Tls:CertificatePath (a PFX with its private key, the same on every silo): " +
                "silo-to-silo and gateway traffic is TLS outside Development.");
        }

        if (!isDevelopment && settings.Storage == AzureStorage && settings.KeyRingCertificate is null)
        {
            throw new InvalidSettingException("Orleans:Storage=AzureStorage needs DataProtection:CertificatePath (a PFX with its private key, the same on every silo): " +
                "the key ring that encrypts ActiveCampaign keys is stored encrypted outside Development.");
        }

        return settings.Streaming == EventHubs ? settings with { EventHub = EventHubSettings.Read(configuration) } : settings;
    }

    private static void RequireAzureStorageConnectionString(HostSettings settings)
    {
        var uses = string.Join(", ", new[]
        {
            settings.Storage == AzureStorage ? "Orleans:Storage=AzureStorage" : null,
            settings.Clustering == AzureStorage ? "Orleans:Clustering=AzureStorage" : null,
            settings.Streaming == EventHubs ? "Orleans:Streaming=EventHubs (checkpoints in Azure Table)" : null,
        }.OfType<string>());
        if (string.IsNullOrWhiteSpace(settings.AzureStorageConnectionString))
        {
            throw new InvalidSettingException($"{uses} needs ConnectionStrings:AzureStorage (an Azure Storage or Azurite connection string), which is not set.");
        }

        try
        {
            _ = new BlobServiceClient(settings.AzureStorageConnectionString);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            // The exception text is not repeated: it could quote the account key.
            throw new InvalidSettingException($"ConnectionStrings:AzureStorage is not a valid Azure Storage connection string (needed by {uses}).");
        }
    }

    internal static void Require(string value, string key, params string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new InvalidSettingException($"{key} is '{value}'; use {string.Join(" or ", allowed)}.");
        }
    }

    private static int ReadInt(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidSettingException($"{key} is '{text}'; use a whole number from {min} to {max}.");
    }

    internal static bool ReadBool(IConfiguration configuration, string key, bool fallback)
    {
        var text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        return bool.TryParse(text, out var value) ? value : throw new InvalidSettingException($"{key} is '{text}'; use true or false.");
    }

    private static IPAddress? ReadAddress(IConfiguration configuration, string key)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return IPAddress.TryParse(text, out var address) ? address : throw new InvalidSettingException($"{key} is '{text}'; use an IP address such as 10.0.0.4.");
    }
}

/// <summary>Where upstream events come from in the <c>EventHubs</c> streaming profile.</summary>
public sealed record EventHubSettings(string ConnectionString, string Name, string ConsumerGroup)
{
    public const string DefaultConsumerGroup = "$Default";

    public static EventHubSettings Read(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("EventHubs");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidSettingException("Orleans:Streaming=EventHubs needs ConnectionStrings:EventHubs (the Event Hubs namespace connection string), which is not set.");
        }

        EventHubsConnectionStringProperties properties;
        try
        {
            properties = EventHubsConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            throw new InvalidSettingException("ConnectionStrings:EventHubs is not a valid Event Hubs connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...).");
        }

        var name = configuration["EventHubs:Name"] ?? properties.EventHubName;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidSettingException("Orleans:Streaming=EventHubs needs EventHubs:Name (the event hub to read), which is not set.");
        }

        var consumerGroup = configuration["EventHubs:ConsumerGroup"];
        return new EventHubSettings(connectionString, name, string.IsNullOrWhiteSpace(consumerGroup) ? DefaultConsumerGroup : consumerGroup);
    }
}
