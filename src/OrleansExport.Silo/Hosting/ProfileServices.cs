using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.AzureStorage;
using OrleansExport.Silo.EventHubs;

namespace OrleansExport.Silo.Hosting;

/// <summary>Host services that differ by hosting profile (the silo's own wiring is in <see cref="OrleansSetup"/>).</summary>
public static class ProfileServices
{
    public static IServiceCollection AddProfileServices(this IServiceCollection services, HostSettings settings)
    {
        services.AddSingleton(provider => new SegmentEventPublisher(provider.GetRequiredService<IClusterClient>(), settings.Upgrade.WritePreviousFormats));
        services.AddSingleton<SegmentAdmission>();
        if (settings.Streaming == HostSettings.EventHubs)
        {
            services.AddSingleton<ISegmentEventPublisher, EventHubSegmentEventPublisher>();
        }
        else
        {
            services.AddSingleton<ISegmentEventPublisher>(provider => provider.GetRequiredService<SegmentEventPublisher>());
        }

        var dataProtection = services.AddDataProtection().SetApplicationName("OrleansExport");
        if (settings.Storage != HostSettings.AzureStorage)
        {
            // Memory state dies with the process, and so may the keys that encrypt it: nothing of them touches a disk.
            dataProtection.UseEphemeralDataProtectionProvider();
            return services;
        }

        if (settings.KeyRingCertificate is { } keyRing)
        {
            // The key ring in blob storage is itself encrypted: without this certificate its keys, and so the
            // ActiveCampaign keys they protect, cannot be read from storage.
            var certificate = keyRing.Load("DataProtection");
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        // Every silo must decrypt the API keys any other silo encrypted: one key ring, in blob storage.
        services.AddSingleton(provider => provider.GetRequiredService<AzureStorageClients>().Blobs.GetBlobContainerClient(BlobXmlRepository.ContainerName));
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
            options.XmlRepository = new BlobXmlRepository(provider.GetRequiredService<Azure.Storage.Blobs.BlobContainerClient>()));
        services.AddHostedService<KeyRingStartup>();

        return services;
    }
}
