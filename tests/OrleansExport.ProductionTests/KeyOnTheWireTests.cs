using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.Hosting;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// The production profile with TLS, watched from the wire: every silo-to-silo connection and a client's
/// gateway connection run through a byte-recording relay while the ActiveCampaign key is sent to a
/// connection grain on the other silo and through the gateway. The relays see TLS records and never the key.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyOnTheWireTests(AzuriteFixture azurite)
{
    private const string ApiKey = "ac-key-on-the-wire-0f9e8d7c6b5a4321";

    [Fact]
    public async Task TheActiveCampaignKey_NeverCrossesASocketInClear_BetweenSilosOrFromAClient()
    {
        await using var simulator = await ActiveCampaignSimulator.StartAsync(new SimulatorOptions { ApiKeys = [ApiKey] });
        var clusterId = "wire-" + Guid.NewGuid().ToString("N")[..8];
        int listenA = FreePorts.Next(), listenB = FreePorts.Next(), gatewayA = FreePorts.Next();
        // Each silo advertises its relays' ports and listens behind them, so every silo-to-silo and gateway byte crosses a relay.
        await using var relayA = new RecordingRelay(FreePorts.Next(), listenA);
        await using var relayB = new RecordingRelay(FreePorts.Next(), listenB);
        await using var gatewayRelay = new RecordingRelay(FreePorts.Next(), gatewayA);

        var settingsA = SiloSettings.AzureStorage(azurite.ConnectionString, clusterId);
        settingsA["Orleans:SiloPort"] = relayA.Port.ToString();
        settingsA["Orleans:GatewayPort"] = gatewayRelay.Port.ToString();
        var settingsB = SiloSettings.AzureStorage(azurite.ConnectionString, clusterId);
        settingsB["Orleans:SiloPort"] = relayB.Port.ToString();
        await using var siloA = await InProcessSilo.StartAsync(settingsA, ListenOn(listenA, gatewayA));
        await using var siloB = await InProcessSilo.StartAsync(settingsB, ListenOn(listenB, gatewayPort: null));
        var grainsA = siloA.Services.GetRequiredService<IGrainFactory>();
        var grainsB = siloB.Services.GetRequiredService<IGrainFactory>();
        var addressA = siloA.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        await Eventually.WaitAsync(() => grainsA.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true), hosts => hosts.Count == 2, TimeSpan.FromSeconds(60), "both silos active");

        // The other silo's host sends the key to the connection grain: in the request, across the relay of the grain's silo.
        var connectionId = $"con-wire-{Guid.NewGuid():N}"[..24];
        Assert.Null(await grainsA.GetGrain<IConnectionGrain>(connectionId).GetAsync());
        var onA = (await grainsA.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: [addressA])).Any(s => s.GrainId.Key.ToString() == connectionId);
        var sender = onA ? grainsB : grainsA;
        var created = await sender.GetGrain<IConnectionGrain>(connectionId).CreateAsync(Request(simulator.Hostname));
        Assert.Null(created.Error);
        var updated = await sender.GetGrain<IConnectionGrain>(connectionId).UpdateAsync(new ConnectionPatch(ApiKey: ApiKey), "tests");
        Assert.Null(updated.Error);
        Assert.Equal(2, updated.Value!.KeyVersion);

        // A client sends it through the gateway relay.
        using (var client = Client(clusterId, gatewayRelay.Port))
        {
            await client.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var viaGateway = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IConnectionGrain>("con-wire-client").CreateAsync(Request(simulator.Hostname));
            Assert.Null(viaGateway.Error);
            await client.StopAsync();
        }

        var key = new[] { Encoding.UTF8.GetBytes(ApiKey), Encoding.Unicode.GetBytes(ApiKey), Encoding.UTF8.GetBytes(ApiKey[..16]) };
        foreach (var (relay, name) in new[] { (relayA, "silo A's relay"), (relayB, "silo B's relay"), (gatewayRelay, "the gateway relay") })
        {
            var streams = relay.Streams().Where(s => s.Bytes.Length > 0).ToList();
            Assert.True(relay != gatewayRelay || streams.Count(s => s.TowardsTarget) > 0, $"nothing crossed {name}");
            foreach (var (towardsTarget, bytes) in streams)
            {
                Assert.All(key, form => Assert.True(bytes.AsSpan().IndexOf(form) < 0, $"the key crossed {name} in clear"));

                // Every connection opens with a TLS handshake record (content type 22, version 3.x), never an Orleans preamble.
                if (towardsTarget)
                {
                    Assert.True(bytes.Length >= 3 && bytes[0] == 0x16 && bytes[1] == 0x03, $"a connection through {name} opened with {Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}, not a TLS handshake");
                }
            }
        }

        // Silos talk both ways over the connection one of them opened, to whichever relay: between them, the two carried the key's calls.
        Assert.True(relayA.Streams().Concat(relayB.Streams()).Sum(s => s.Bytes.Length) > 10_000, "too little crossed the silos' relays to have carried the calls");
    }

    private static ConnectionRequest Request(string hostname) => new("Wire", hostname, ApiKey, AllowContributors: false, DataPrivacyConsent: true, ProfileCap: null, CreatedBy: "tests");

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> ListenOn(int siloPort, int? gatewayPort) => builder =>
        builder.Services.PostConfigure<EndpointOptions>(options =>
        {
            options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, siloPort);
            if (gatewayPort is { } port)
            {
                options.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Loopback, port);
            }
        });

    private static IHost Client(string clusterId, int gatewayPort) =>
        Host.CreateApplicationBuilder().UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort)).Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            client.UseClusterTls(TestCertificates.Load(TestCertificates.Cluster));
        }).Build();
}
