using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.ProductionTests;

public sealed class HostSettingsTests
{
    private const string Azurite = "UseDevelopmentStorage=true";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const string Hub = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

    [Theory]
    [InlineData("Orleans:Storage=Disk", "Orleans:Storage is 'Disk'; use Memory or AzureStorage.")]
    [InlineData("Orleans:Clustering=Consul", "Orleans:Clustering is 'Consul'; use Localhost or AzureStorage.")]
    [InlineData("Orleans:Streaming=Kafka", "Orleans:Streaming is 'Kafka'; use Memory or EventHubs.")]
    [InlineData("Orleans:Storage=AzureStorage", "Orleans:Storage=AzureStorage needs ConnectionStrings:AzureStorage")]
    [InlineData("Orleans:Clustering=AzureStorage", "Orleans:Clustering=AzureStorage needs ConnectionStrings:AzureStorage")]
    [InlineData("Orleans:Storage=AzureStorage|ConnectionStrings:AzureStorage=not a connection string", "ConnectionStrings:AzureStorage is not a valid Azure Storage connection string")]
    [InlineData("Orleans:Streaming=EventHubs", "needs ConnectionStrings:AzureStorage")]
    [InlineData("Orleans:Streaming=EventHubs|ConnectionStrings:AzureStorage=" + Azurite, "Orleans:Streaming=EventHubs needs ConnectionStrings:EventHubs")]
    [InlineData("Orleans:Streaming=EventHubs|ConnectionStrings:AzureStorage=" + Azurite + "|ConnectionStrings:EventHubs=nonsense", "ConnectionStrings:EventHubs is not a valid Event Hubs connection string")]
    [InlineData("Orleans:Streaming=EventHubs|ConnectionStrings:AzureStorage=" + Azurite + "|ConnectionStrings:EventHubs=" + Hub, "Orleans:Streaming=EventHubs needs EventHubs:Name")]
    [InlineData("Orleans:AdvertisedIP=somewhere", "Orleans:AdvertisedIP is 'somewhere'")]
    [InlineData("Orleans:SiloPort=eleven", "Orleans:SiloPort is 'eleven'; use a whole number.")]
    [InlineData("Orleans:GatewayPort=70000", "Orleans:GatewayPort is '70000'; use a whole number from 1 to 65535.")]
    [InlineData("Upgrade:WritePreviousFormats=0", "Upgrade:WritePreviousFormats is '0'; use true or false.")]
    [InlineData("Orleans:Clustering=AzureStorage|ConnectionStrings:AzureStorage=" + Azurite, "Orleans:Clustering=AzureStorage needs Orleans:Tls:CertificatePath")]
    [InlineData("Orleans:Storage=AzureStorage|ConnectionStrings:AzureStorage=" + Azurite, "Orleans:Storage=AzureStorage needs DataProtection:CertificatePath")]
    public void InvalidProfile_IsRefusedWithTheSettingToFix(string settings, string expected)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => HostSettings.Read(Configuration(settings), isDevelopment: false));
        Assert.Contains(expected, exception.Message);
        Assert.DoesNotContain("SAS_KEY_VALUE", exception.Message);
    }

    [Fact]
    public void WritePreviousFormats_IsOffUnlessSet()
    {
        Assert.False(HostSettings.Read(Configuration("Orleans:Storage=Memory"), isDevelopment: true).Upgrade.WritePreviousFormats);
        Assert.True(HostSettings.Read(Configuration("Upgrade:WritePreviousFormats=true"), isDevelopment: true).Upgrade.WritePreviousFormats);
    }

    [Fact]
    public void EventHubsProfile_ReadsTheHubWithTheDefaultConsumerGroup()
    {
        var settings = HostSettings.Read(Configuration($"Orleans:Streaming=EventHubs|ConnectionStrings:AzureStorage={Azurite}|ConnectionStrings:EventHubs={Hub}|EventHubs:Name=segment-events"), isDevelopment: false);
        Assert.Equal(new EventHubSettings(Hub, "segment-events", "$Default"), settings.EventHub);
        Assert.True(settings.UsesAzureStorage);
    }

    [Fact]
    public async Task Host_WithAzureStorageButNoConnectionString_ExitsNonZeroWithOneLine()
    {
        var (exitCode, stderr) = await SiloProcess.RunToExitAsync(new Dictionary<string, string?> { ["Orleans:Storage"] = "AzureStorage" }, StartTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("OrleansExport cannot start: Orleans:Storage=AzureStorage needs ConnectionStrings:AzureStorage (an Azure Storage or Azurite connection string), which is not set.", line.TrimEnd());
    }

    [Fact]
    public void Development_RunsWithoutCertificates()
    {
        var settings = HostSettings.Read(Configuration($"Orleans:Storage=AzureStorage|Orleans:Clustering=AzureStorage|ConnectionStrings:AzureStorage={Azurite}"), isDevelopment: true);
        Assert.Null(settings.ClusterTls);
        Assert.Null(settings.KeyRingCertificate);
    }

    [Fact]
    public async Task Host_WithAnUnreadableKeyRingCertificate_ExitsWithTwoAndOneLine()
    {
        var (exitCode, stderr) = await SiloProcess.RunToExitAsync(new Dictionary<string, string?>
        {
            ["Orleans:Storage"] = "AzureStorage",
            ["ConnectionStrings:AzureStorage"] = Azurite,
            ["DataProtection:CertificatePath"] = TestCertificates.Cluster,
            ["DataProtection:CertificatePassword"] = "not-the-password",
        }.WithApiKey(0, SiloSettings.AdminKey, "Admin", "tests"), StartTimeout);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"OrleansExport cannot start: DataProtection:CertificatePath '{TestCertificates.Cluster}' cannot be read as a PFX file (wrong DataProtection:CertificatePassword?).", line.TrimEnd());
    }

    private static IConfiguration Configuration(string settings) => new ConfigurationBuilder()
        .AddInMemoryCollection(settings.Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)).Select(pair => KeyValuePair.Create(pair[0], (string?)pair[1])))
        .Build();
}
