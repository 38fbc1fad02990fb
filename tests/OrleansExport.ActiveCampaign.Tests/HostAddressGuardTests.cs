using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>
/// The connect step resolves the host itself and refuses non-public addresses, at connection creation
/// and at every later connect. No real DNS: a fake resolver answers, and nothing but loopback is ever contacted.
/// </summary>
public sealed class HostAddressGuardTests : IAsyncLifetime
{
    private const string ApiKey = "k3y-5ecret-0123456789abcdef";

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeActiveCampaignServer server = null!;
    private ServiceProvider? services;

    private int Port => int.Parse(server.Hostname.Split(':')[1]);

    public async Task InitializeAsync() => server = await FakeActiveCampaignServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await server.DisposeAsync();
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:192.168.0.1")]
    public async Task AllowedNameResolvingToANonPublicAddress_IsRefusedBeforeAnyConnection(string address)
    {
        var resolver = new FakeResolver(new() { ["acme.example.test"] = [address] });
        var client = Client(resolver, ("ActiveCampaign:AllowInsecureLoopback", "false"), ("ActiveCampaign:AllowedHostSuffixes:0", "example.test"));

        var refused = await Assert.ThrowsAsync<ActiveCampaignHostRefusedException>(
            () => client.VerifyApiKeyAsync(new ActiveCampaignAccount("acme.example.test", ApiKey), CancellationToken.None));

        Assert.Contains("private, local or reserved", refused.Message);
        Assert.DoesNotContain(ApiKey, refused.ToString());
        Assert.Equal(1, resolver.Lookups); // refused, so not retried
    }

    [Fact]
    public async Task NameResolvingToAPublicAndAPrivateAddress_IsRefused()
    {
        var resolver = new FakeResolver(new() { ["acme.example.test"] = ["203.0.114.1", "192.168.0.10"] });
        var guard = Guard(resolver, allowLoopback: false);

        var refused = await Assert.ThrowsAsync<HostAddressRefusedException>(() => guard.CheckAsync("acme.example.test", 443, CancellationToken.None));

        Assert.Contains("192.168.0.10", refused.Message);
    }

    [Fact]
    public async Task RebindingToAPrivateAddress_IsCaughtAtTheNextConnection()
    {
        var table = new Dictionary<string, string[]> { ["acme.example.test"] = ["203.0.114.1"] };
        var guard = Guard(new FakeResolver(table), allowLoopback: false);

        Assert.Equal("203.0.114.1", Assert.Single(await guard.CheckAsync("acme.example.test", 443, CancellationToken.None)).ToString());
        table["acme.example.test"] = ["10.9.8.7"];

        await Assert.ThrowsAsync<HostAddressRefusedException>(() => guard.CheckAsync("acme.example.test", 443, CancellationToken.None));
    }

    [Fact]
    public async Task LoopbackName_ReachesLoopback_WhenAllowed()
    {
        var resolver = new FakeResolver(new() { ["localhost"] = ["127.0.0.1"] });
        var client = Client(resolver);

        await client.VerifyApiKeyAsync(new ActiveCampaignAccount($"localhost:{Port}", ApiKey), CancellationToken.None);

        Assert.Equal(ApiKey, Assert.Single(server.Requests).ApiToken);
        Assert.Equal(1, resolver.Lookups);
    }

    [Fact]
    public async Task LoopbackName_ResolvingToAPrivateAddress_IsRefusedEvenWhenLoopbackIsAllowed()
    {
        var resolver = new FakeResolver(new() { ["localhost"] = ["10.0.0.1"] });
        var client = Client(resolver);

        await Assert.ThrowsAsync<ActiveCampaignHostRefusedException>(
            () => client.VerifyApiKeyAsync(new ActiveCampaignAccount($"localhost:{Port}", ApiKey), CancellationToken.None));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task LoopbackLiteral_NeedsNoLookup_AndIsRefusedWhenLoopbackIsNotAllowed()
    {
        var resolver = new FakeResolver([]);

        Assert.Single(await Guard(resolver, allowLoopback: true).CheckAsync("127.0.0.1", Port, CancellationToken.None));
        Assert.Single(await Guard(resolver, allowLoopback: true).CheckAsync("[::1]", Port, CancellationToken.None));
        await Assert.ThrowsAsync<HostAddressRefusedException>(() => Guard(resolver, allowLoopback: false).CheckAsync("127.0.0.1", Port, CancellationToken.None));
        Assert.Equal(0, resolver.Lookups);
    }

    private IActiveCampaignClient Client(IHostAddressResolver resolver, params (string Key, string Value)[] overrides)
    {
        services = TestClients.Build(pacer, logs, resolver, overrides);
        return services.GetRequiredService<IActiveCampaignClient>();
    }

    private static HostAddressGuard Guard(IHostAddressResolver resolver, bool allowLoopback) =>
        new(resolver, Options.Create(new ActiveCampaignOptions { AllowInsecureLoopback = allowLoopback }));
}
