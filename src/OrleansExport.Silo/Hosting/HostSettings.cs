namespace OrleansExport.Silo.Hosting;

/// <summary>The hosting profile chosen by configuration (CONTRACT.md section 3), checked at start.</summary>
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
            MaxIngestRequestBytes: ReadInt(configuration, "Ingest:MaxRequestBytes", 16 * 1024 * 1024, 1024, int.MaxValue));

        Require(settings.Storage, "Orleans:Storage", Memory);
        Require(settings.Clustering, "Orleans:Clustering", Localhost);
        Require(settings.Streaming, "Orleans:Streaming", Memory);
        if ((settings.Storage == AzureStorage || settings.Clustering == AzureStorage) && string.IsNullOrWhiteSpace(settings.AzureStorageConnectionString))
        {
            throw new InvalidSettingException("Orleans:Storage or Orleans:Clustering is AzureStorage but ConnectionStrings:AzureStorage is not set.");
        }

        return settings;
    }

    private static void Require(string value, string key, params string[] allowed)
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

    private static bool ReadBool(IConfiguration configuration, string key, bool fallback)
    {
        var text = configuration[key];
        if (text is null)
        {
            return fallback;
        }

        return bool.TryParse(text, out var value) ? value : throw new InvalidSettingException($"{key} is '{text}'; use true or false.");
    }
}
