using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>One circuit per account host: repeated failures stop requests to that account only, without spending retries.</summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    private const string ApiKey = "k3y-5ecret-0123456789abcdef";

    // Long enough that a GC pause on a busy machine cannot end the break between two calls.
    private static readonly TimeSpan StaysOpen = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShortBreak = TimeSpan.FromSeconds(1);

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeActiveCampaignServer failing = null!;
    private FakeActiveCampaignServer healthy = null!;
    private ServiceProvider? services;

    public async Task InitializeAsync()
    {
        failing = await FakeActiveCampaignServer.StartAsync();
        healthy = await FakeActiveCampaignServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await failing.DisposeAsync();
        await healthy.DisposeAsync();
    }

    [Fact]
    public async Task RepeatedServerErrors_OpenTheAccountsCircuit_WhichRefusesWithoutSendingOrTakingPermits()
    {
        var client = Client();
        for (var i = 0; i < 4; i++)
        {
            failing.Respond(503);
        }

        var open = await Assert.ThrowsAsync<ActiveCampaignCircuitOpenException>(() => client.VerifyApiKeyAsync(Account(failing), CancellationToken.None));
        var sentWhenOpened = failing.Requests.Count;
        var permitsWhenOpened = pacer.Acquired.Count;
        var again = await Assert.ThrowsAsync<ActiveCampaignCircuitOpenException>(() => client.VerifyApiKeyAsync(Account(failing), CancellationToken.None));

        Assert.Equal(4, sentWhenOpened); // the minimum throughput, then no more retries
        Assert.Equal(sentWhenOpened, failing.Requests.Count);
        Assert.Equal(permitsWhenOpened, pacer.Acquired.Count);
        Assert.Equal(failing.Hostname, open.Hostname);
        Assert.InRange(again.RetryAfter, TimeSpan.Zero, StaysOpen);
        Assert.Contains("circuit open", open.Message);
        Assert.DoesNotContain(ApiKey, open.ToString());
    }

    [Fact]
    public async Task AnOpenCircuit_LeavesOtherAccountsAlone_AndClosesAfterTheBreak()
    {
        var client = Client(ShortBreak);
        for (var i = 0; i < 4; i++)
        {
            failing.Respond(500);
        }

        await Assert.ThrowsAsync<ActiveCampaignCircuitOpenException>(() => client.VerifyApiKeyAsync(Account(failing), CancellationToken.None));
        await client.VerifyApiKeyAsync(Account(healthy), CancellationToken.None);
        await Task.Delay(ShortBreak + TimeSpan.FromSeconds(0.2));
        await client.VerifyApiKeyAsync(Account(failing), CancellationToken.None);

        Assert.Single(healthy.Requests);
        Assert.Equal(5, failing.Requests.Count);
    }

    [Fact]
    public async Task Throttling_NeverOpensTheCircuit()
    {
        var client = Client();
        for (var i = 0; i < 6; i++)
        {
            failing.Respond(429, headers: h => h[RetryAfter.MillisecondsHeader] = "1");
        }

        await client.VerifyApiKeyAsync(Account(failing), CancellationToken.None);

        Assert.Equal(7, failing.Requests.Count);
    }

    private ActiveCampaignAccount Account(FakeActiveCampaignServer server) => new(server.Hostname, ApiKey);

    private IActiveCampaignClient Client() => Client(StaysOpen);

    private IActiveCampaignClient Client(TimeSpan breakDuration)
    {
        services = TestClients.Build(pacer, logs, resolver: null,
            ("ActiveCampaign:CircuitBreaker:MinimumThroughput", "4"),
            ("ActiveCampaign:CircuitBreaker:FailureRatio", "0.5"),
            ("ActiveCampaign:CircuitBreaker:BreakDuration", breakDuration.ToString("c")),
            ("ActiveCampaign:CircuitBreaker:SamplingDuration", "00:00:30"));
        return services.GetRequiredService<IActiveCampaignClient>();
    }
}
