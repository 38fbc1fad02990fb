using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansExport.Grains.Connections;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.AzureStorage;
using OrleansExport.Silo.Hosting;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// The production profile's own doors: the gateway speaks TLS and admits only a client presenting the
/// cluster certificate (so the ActiveCampaign key a client sends crosses the socket encrypted), the gateway
/// is off unless configured, and the key ring in blob storage is encrypted, so storage alone yields no key.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterDoorsTests(AzuriteFixture azurite)
{
    private const string ApiKey = "ac-key-that-must-never-cross-in-clear-7f3a";

    private static SiloSettings Settings(AzuriteFixture azurite, out string clusterId)
    {
        clusterId = "doors-" + Guid.NewGuid().ToString("N")[..8];
        return SiloSettings.AzureStorage(azurite.ConnectionString, clusterId).WithFreePorts();
    }

    private static IHost Client(string clusterId, IPEndPoint gateway, string? certificatePath) =>
        Host.CreateApplicationBuilder().UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway).Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            if (certificatePath is not null)
            {
                client.UseClusterTls(TestCertificates.Load(certificatePath));
            }
        }).Build();

    [Fact]
    public async Task Gateway_AdmitsOnlyTheClusterCertificate_AndReadsNothingBeforeTheTlsHandshake()
    {
        var simulatorOptions = new SimulatorOptions { ApiKeys = [ApiKey] };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = Settings(azurite, out var clusterId);
        await using var silo = await InProcessSilo.StartAsync(settings);
        var gateway = new IPEndPoint(IPAddress.Loopback, int.Parse(settings.Values["Orleans:GatewayPort"]!));

        using (var trusted = Client(clusterId, gateway, TestCertificates.Cluster))
        {
            await trusted.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var created = await trusted.Services.GetRequiredService<IClusterClient>().GetGrain<IConnectionGrain>("con-doors").CreateAsync(
                new ConnectionRequest("Doors", simulator.Hostname, ApiKey, AllowContributors: false, DataPrivacyConsent: true, ProfileCap: null, CreatedBy: "tests"));
            Assert.Null(created.Error);
            await trusted.StopAsync();
        }

        foreach (var certificate in new[] { TestCertificates.Write("intruder"), null })
        {
            using var stranger = Client(clusterId, gateway, certificate);
            await Assert.ThrowsAnyAsync<Exception>(() => stranger.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        }

        // What crosses the socket: a TLS handshake that presents the cluster certificate, and nothing in clear.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(gateway);
            X509Certificate? presented = null;
            using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => (presented = certificate) is not null);
            using var cluster = TestCertificates.Load(TestCertificates.Cluster);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "orleans-export-cluster", ClientCertificates = [cluster] });
            Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"negotiated {tls.SslProtocol}");
            Assert.Equal(cluster.Thumbprint, new X509Certificate2(presented!).Thumbprint);
        }

        using (var plain = new TcpClient())
        {
            await plain.ConnectAsync(gateway);
            var stream = plain.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"plaintext {ApiKey}\r\n"));
            var buffer = new byte[256];
            var read = 0;
            try
            {
                read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (IOException)
            {
            }

            // The gateway took the bytes as a broken TLS hello and closed the connection: no Orleans message was read.
            Assert.True(read == 0 || buffer[0] == 0x15, $"the gateway answered {read} bytes in clear");
        }
    }

    [Fact]
    public void GatewayIsOff_UnlessConfigured()
    {
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "no-gateway");

        Assert.False(HostSettings.Read(Configuration(settings), isDevelopment: false).GatewayEnabled);
        settings["Orleans:GatewayPort"] = "30123";
        Assert.True(HostSettings.Read(Configuration(settings), isDevelopment: false).GatewayEnabled);
    }

    [Fact]
    public async Task StoredKeyRing_IsEncrypted_AndWithoutTheCertificateYieldsNoKey()
    {
        var settings = Settings(azurite, out _);
        string ciphertext;
        await using (var silo = await InProcessSilo.StartAsync(settings))
        {
            ciphertext = silo.Services.GetRequiredService<ApiKeyProtector>().Protect(ApiKey);
            Assert.Equal(ApiKey, silo.Services.GetRequiredService<ApiKeyProtector>().Unprotect(ciphertext));
        }

        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobXmlRepository.ContainerName);
        var keys = new BlobXmlRepository(container).GetAllElements().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            var xml = key.ToString();
            Assert.Contains("encryptedSecret", xml);
            Assert.Contains("X509Data", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });

        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("OrleansExport");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new BlobXmlRepository(container));
        var withoutCertificate = services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new ApiKeyProtector(withoutCertificate).Unprotect(ciphertext));
    }

    private static IConfiguration Configuration(SiloSettings settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Values!).Build();
}
