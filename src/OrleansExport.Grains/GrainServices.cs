using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Accounts;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Segments;

namespace OrleansExport.Grains;

/// <summary>What the grains need from the silo's services, registered once for the host and every test cluster.</summary>
public static class GrainServices
{
    /// <summary>
    /// The clock, the ActiveCampaign client with its options, the cluster-wide request pacer, <see cref="ExportOptions"/>
    /// and <see cref="SegmentIngestOptions"/> (validated at start), the API key protector, the batch sender and the alert sender. Data Protection is added with the project's
    /// application name; where its keys live is the host's choice.
    /// </summary>
    public static IServiceCollection AddOrleansExportGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddActiveCampaignClient(configuration);
        services.TryAddSingleton<IRequestPacer, GrainRequestPacer>();
        services.AddOptions<ExportOptions>()
            .Bind(configuration.GetSection(ExportOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<ExportOptions>, ExportOptionsValidator>());
        services.AddOptions<SegmentIngestOptions>()
            .Bind(configuration.GetSection(SegmentIngestOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<SegmentIngestOptions>, SegmentIngestOptionsValidator>());
        services.AddDataProtection().SetApplicationName("OrleansExport");
        services.TryAddSingleton<ApiKeyProtector>();
        services.TryAddSingleton<OptOutSweep>();
        services.TryAddSingleton<BatchSender>();
        services.AddAlertSender();
        return services;
    }
}
