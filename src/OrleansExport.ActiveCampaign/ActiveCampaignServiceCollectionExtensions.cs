using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;

namespace OrleansExport.ActiveCampaign;

/// <summary>Registers the ActiveCampaign client.</summary>
public static class ActiveCampaignServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="ActiveCampaignOptions"/> from the <c>ActiveCampaign</c>
    /// section (a bad value stops the host at start), and registers the named HttpClient (whose
    /// connections go through <see cref="HostAddressGuard"/>), the resilience pipelines and
    /// <see cref="IActiveCampaignClient"/> with its <see cref="TagIdCache"/>. The caller registers an
    /// <see cref="IRequestPacer"/> (see <see cref="AddLocalRequestPacer"/>).
    /// </summary>
    public static IServiceCollection AddActiveCampaignClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ActiveCampaignOptions>()
            .Bind(configuration.GetSection(ActiveCampaignOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActiveCampaignOptions>, ActiveCampaignOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActiveCampaignOptions>, AllowedHostSuffixesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActiveCampaignOptions>, WebhookBaseUrlValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(ActiveCampaignClient.HttpClientName, httpClient =>
            {
                httpClient.Timeout = Timeout.InfiniteTimeSpan; // the attempt-timeout pipeline bounds each attempt
                httpClient.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                httpClient.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("OrleansExport", "1.0"));
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Resolves and checks the host at every new connection: no private address, even after a DNS change.
                ConnectCallback = provider.GetRequiredService<HostAddressGuard>().ConnectAsync,
                // Through a proxy the guard would check the proxy's address, not the account's (HTTPS_PROXY and the like are ignored).
                UseProxy = false,
                // Recycled connections pick up DNS changes; the handler itself can then live forever.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                MaxConnectionsPerServer = 16,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AutomaticDecompression = DecompressionMethods.All,
                // A redirect would carry the Api-Token header to wherever it points.
                AllowAutoRedirect = false,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The factory's logger redacts headers in the message text but passes their raw values
            // (the Api-Token) as structured state, which structured sinks write out. Polly's
            // telemetry already logs every attempt with its status code.
            .RemoveAllLoggers();

        services.AddResiliencePipeline<string, HttpResponseMessage>(ActiveCampaignResilience.RetryPipelineKey, (builder, context) =>
            builder.AddActiveCampaignRetry(
                context.ServiceProvider.GetRequiredService<IOptions<ActiveCampaignOptions>>().Value,
                context.ServiceProvider.GetRequiredService<TimeProvider>()));
        services.AddResiliencePipeline(ActiveCampaignResilience.AttemptTimeoutPipelineKey, (builder, context) =>
            builder.AddActiveCampaignAttemptTimeout(context.ServiceProvider.GetRequiredService<IOptions<ActiveCampaignOptions>>().Value));

        services.TryAddSingleton<IHostAddressResolver, SystemHostAddressResolver>();
        services.TryAddSingleton<HostAddressGuard>();
        services.TryAddSingleton<IActiveCampaignClient, ActiveCampaignClient>();
        services.TryAddSingleton<TagIdCache>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="LocalRequestPacer"/> as the <see cref="IRequestPacer"/> unless one is
    /// registered already: for tests and tools that are the only sender to their accounts.
    /// </summary>
    public static IServiceCollection AddLocalRequestPacer(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRequestPacer>(provider => new LocalRequestPacer(
            provider.GetRequiredService<IOptions<ActiveCampaignOptions>>().Value.Limits,
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
