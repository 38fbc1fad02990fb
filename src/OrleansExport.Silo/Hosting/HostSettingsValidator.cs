using System.Net;
using Azure.Messaging.EventHubs;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// The rules of <see cref="HostSettings"/>. It answers with the first problem only: later rules assume the
/// earlier ones hold, and the operator gets one line to fix before starting again.
/// </summary>
public sealed class HostSettingsValidator : IValidateOptions<HostSettings>
{
    public ValidateOptionsResult Validate(string? name, HostSettings settings) =>
        Problems(settings).OfType<string>().FirstOrDefault() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    private static IEnumerable<string?> Problems(HostSettings settings)
    {
        var orleans = settings.Orleans;
        yield return OneOf(orleans.Storage, "Orleans:Storage", HostSettings.Memory, HostSettings.AzureStorage);
        yield return OneOf(orleans.Clustering, "Orleans:Clustering", HostSettings.Localhost, HostSettings.AzureStorage);
        yield return OneOf(orleans.Streaming, "Orleans:Streaming", HostSettings.Memory, HostSettings.EventHubs);
        yield return InRange(orleans.SiloPort, "Orleans:SiloPort", 1, 65535);
        yield return InRange(orleans.GatewayPort, "Orleans:GatewayPort", 1, 65535);
        yield return InRange(settings.Ingest.MaxRequestBytes, "Ingest:MaxRequestBytes", IngestRequestSection.MinRequestBytes, int.MaxValue);
        yield return Between(orleans.Membership.ProbeTimeout, "Orleans:Membership:ProbeTimeout", TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1));
        yield return InRange(orleans.Membership.NumMissedProbesLimit, "Orleans:Membership:NumMissedProbesLimit", 1, 10);
        yield return InRange(orleans.Membership.NumVotesForDeathDeclaration, "Orleans:Membership:NumVotesForDeathDeclaration", 1, 10);
        yield return Between(orleans.Membership.DeathVoteExpirationTimeout, "Orleans:Membership:DeathVoteExpirationTimeout", TimeSpan.FromSeconds(5), TimeSpan.FromHours(1));
        if (!string.IsNullOrWhiteSpace(orleans.AdvertisedIP) && !IPAddress.TryParse(orleans.AdvertisedIP, out _))
        {
            yield return $"Orleans:AdvertisedIP is '{orleans.AdvertisedIP}'; use an IP address such as 10.0.0.4.";
        }

        if (settings.UsesAzureStorage)
        {
            yield return AzureStorageProblem(settings);
        }

        if (!settings.IsDevelopment && settings.Clustering == HostSettings.AzureStorage && settings.ClusterTls is null)
        {
            yield return "Orleans:Clustering=AzureStorage needs Orleans:Tls:CertificatePath (a PFX with its private key, the same on every silo): " +
                "silo-to-silo and gateway traffic is TLS outside Development.";
        }

        if (!settings.IsDevelopment && settings.Storage == HostSettings.AzureStorage && settings.KeyRingCertificate is null)
        {
            yield return "Orleans:Storage=AzureStorage needs DataProtection:CertificatePath (a PFX with its private key, the same on every silo): " +
                "the key ring that encrypts ActiveCampaign keys is stored encrypted outside Development.";
        }

        if (settings.Streaming == HostSettings.EventHubs)
        {
            yield return EventHubProblem(settings);
        }
    }

    private static string? OneOf(string value, string key, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? null : $"{key} is '{value}'; use {string.Join(" or ", allowed)}.";

    private static string? Between(TimeSpan value, string key, TimeSpan min, TimeSpan max) =>
        value >= min && value <= max ? null : $"{key} is '{value}'; use a time from {min} to {max}.";

    private static string? InRange(long? value, string key, long min, long max) =>
        value is null || (value >= min && value <= max) ? null : $"{key} is '{value}'; use a whole number from {min} to {max}.";

    private static string? AzureStorageProblem(HostSettings settings)
    {
        var uses = string.Join(", ", new[]
        {
            settings.Storage == HostSettings.AzureStorage ? "Orleans:Storage=AzureStorage" : null,
            settings.Clustering == HostSettings.AzureStorage ? "Orleans:Clustering=AzureStorage" : null,
            settings.Streaming == HostSettings.EventHubs ? "Orleans:Streaming=EventHubs (checkpoints in Azure Table)" : null,
        }.OfType<string>());
        if (string.IsNullOrWhiteSpace(settings.AzureStorageConnectionString))
        {
            return $"{uses} needs ConnectionStrings:AzureStorage (an Azure Storage or Azurite connection string), which is not set.";
        }

        try
        {
            _ = new BlobServiceClient(settings.AzureStorageConnectionString);
            return null;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            // The exception text is not repeated: it could quote the account key.
            return $"ConnectionStrings:AzureStorage is not a valid Azure Storage connection string (needed by {uses}).";
        }
    }

    private static string? EventHubProblem(HostSettings settings)
    {
        var connectionString = settings.ConnectionStrings.EventHubs;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "Orleans:Streaming=EventHubs needs ConnectionStrings:EventHubs (the Event Hubs namespace connection string), which is not set.";
        }

        EventHubsConnectionStringProperties properties;
        try
        {
            properties = EventHubsConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            return "ConnectionStrings:EventHubs is not a valid Event Hubs connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...).";
        }

        return string.IsNullOrWhiteSpace(settings.Hub.Name) && string.IsNullOrWhiteSpace(properties.EventHubName)
            ? "Orleans:Streaming=EventHubs needs EventHubs:Name (the event hub to read), which is not set."
            : null;
    }
}
