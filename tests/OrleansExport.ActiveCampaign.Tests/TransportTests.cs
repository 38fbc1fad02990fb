using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>Runs alone: it swaps the process-wide <see cref="HttpClient.DefaultProxy"/>.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessProxyCollection
{
    public const string Name = "process-wide proxy";
}

/// <summary>
/// How requests leave for ActiveCampaign: straight to the account (a system proxy would make the address
/// guard check the proxy instead of the real peer), and over https unless the account is a loopback one.
/// </summary>
[Collection(ProcessProxyCollection.Name)]
public sealed class TransportTests : IAsyncLifetime
{
    private const string ApiKey = "k3y-5ecret-0123456789abcdef";

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeActiveCampaignServer server = null!;

    public async Task InitializeAsync() => server = await FakeActiveCampaignServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task SystemProxy_IsIgnored_TheRequestGoesStraightToTheAccount()
    {
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var proxied = 0;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var connection = await proxy.AcceptTcpClientAsync();
                    Interlocked.Increment(ref proxied);
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        });

        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new EveryRequestProxy(new Uri($"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}"));
        try
        {
            await using var services = TestClients.Build(pacer, logs, resolver: null, ("ActiveCampaign:MaxRetryAttempts", "0"));
            await services.GetRequiredService<IActiveCampaignClient>().VerifyApiKeyAsync(new ActiveCampaignAccount(server.Hostname, ApiKey), CancellationToken.None);
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
            proxy.Stop();
        }

        Assert.Equal("/api/3/users/me", Assert.Single(server.Requests).PathAndQuery);
        Assert.Equal(0, proxied);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public async Task AnAccountHost_IsReachedOverHttps_WhateverAllowInsecureLoopbackSays(string allowInsecureLoopback)
    {
        var seen = new List<Uri>();
        var resolver = new FakeResolver(new() { ["acme.api-us1.com"] = ["203.0.113.10"] });
        var services = new ServiceCollection().AddSingleton<IRequestPacer>(pacer).AddSingleton<IHostAddressResolver>(resolver)
            .AddActiveCampaignClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ActiveCampaign:AllowInsecureLoopback"] = allowInsecureLoopback,
            }).Build());
        // Stands in front of the network: records where the real client pipeline sends the request.
        services.AddHttpClient(ActiveCampaignClient.HttpClientName).AddHttpMessageHandler(() => new RecordingHandler(seen));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IActiveCampaignClient>().VerifyApiKeyAsync(new ActiveCampaignAccount("acme.api-us1.com", ApiKey), CancellationToken.None);

        Assert.Equal(new Uri("https://acme.api-us1.com/api/3/users/me"), Assert.Single(seen));
        Assert.Equal(new Uri($"http://{server.Hostname}/"), new ActiveCampaignAccount(server.Hostname, ApiKey).BaseAddress);
    }

    /// <summary>A system proxy that proxies everything, loopback included (the environment proxy would bypass loopback).</summary>
    private sealed class EveryRequestProxy(Uri address) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => address;

        public bool IsBypassed(Uri host) => false;
    }

    private sealed class RecordingHandler(List<Uri> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }
}
