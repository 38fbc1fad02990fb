using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansExport.Grains;
using OrleansExport.Grains.Alerts;

namespace OrleansExport.UnitTests;

public sealed class AlertClientTests
{
    /// <summary>
    /// Through a proxy (HTTPS_PROXY, the system's), the SSRF guard's connect callback would check the proxy's address,
    /// not the webhook's: the alerts client connects itself, always.
    /// </summary>
    [Fact]
    public void AlertsHttpClient_IgnoresTheSystemProxy()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOrleansExportGrains(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        HttpMessageHandler? handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(AlertSender.HttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.UseProxy);
        Assert.NotNull(sockets.ConnectCallback);
    }
}
