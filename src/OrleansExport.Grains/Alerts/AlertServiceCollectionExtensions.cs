using Microsoft.Extensions.DependencyInjection;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Alerts;

public static class AlertServiceCollectionExtensions
{
    /// <summary>Registers <see cref="AlertSender"/> (queue and background delivery) and its guarded HttpClient; needs the ActiveCampaign client's <see cref="HostAddressGuard"/>.</summary>
    public static IServiceCollection AddAlertSender(this IServiceCollection services)
    {
        services.AddHttpClient(AlertSender.HttpClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline bounds each attempt
                client.DefaultRequestHeaders.UserAgent.ParseAdd("OrleansExport/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<HostAddressGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AllowAutoRedirect = false,
                UseProxy = false, // through a proxy, the guard would check the proxy's address, not the webhook's
            })
            .RemoveAllLoggers();
        services.AddSingleton<AlertSender>();
        services.AddSingleton<IAlertSender>(provider => provider.GetRequiredService<AlertSender>());
        services.AddHostedService(provider => provider.GetRequiredService<AlertSender>());
        return services;
    }
}
