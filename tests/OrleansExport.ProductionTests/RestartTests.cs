using Azure.Storage.Blobs;
using OrleansExport.Demo;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.AzureStorage;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

[Collection(AzuriteCollection.Name)]
public sealed class RestartTests(AzuriteFixture azurite)
{
    private const string ListId = "1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StopAndStart_KeepsSegmentsConnectionAndExport_AndTheApiKeyStillDecrypts()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "restart-" + Guid.NewGuid().ToString("N")[..8]);
        settings["ActiveCampaign:Limits:TimeScale"] = "60";
        var first = SegmentEventGenerator.Generate(300, "restart-segment", ChurnOptions.None, seed: 1);
        var later = SegmentEventGenerator.Generate(310, "restart-segment", ChurnOptions.None, seed: 2);
        var added = later.Events.Where(e => string.CompareOrdinal(e.ProfileId, "p-0000300") >= 0).ToList();

        // First life: the segment's events, and a connection; nothing exports the segment yet.
        string connectionId;
        await using (var silo = await InProcessSilo.StartAsync(settings.WithFreePorts()))
        {
            using var api = new ApiDriver(silo.BaseAddress);
            connectionId = await api.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
            await api.PostEventsAsync(first.Events);
            await api.WaitForSegmentAsync("restart-segment", first.Events.Count, Timeout);
        }

        // Second life: an export created now starts from the stored segment, runs, and gets its members.
        string exportId;
        await using (var silo = await InProcessSilo.StartAsync(settings.WithFreePorts()))
        {
            using var api = new ApiDriver(silo.BaseAddress);
            Assert.Equal(first.ExpectedEmailsByProfile.Count, (await api.GetSegmentAsync("restart-segment")).GetProperty("members").GetInt64());
            exportId = await api.CreateExportAsync(connectionId, ListId, "restart-segment");
            Assert.Equal(first.ExpectedEmailsByProfile.Count, (await api.GetExportAsync(exportId)).GetProperty("members").GetInt64());
            await api.StartRunAsync(exportId);
            await WaitForListAsync(simulator, first.ExpectedEmailsByProfile.Count);
            await Eventually.WaitAsync(() => api.GetExportAsync(exportId), e => e.GetProperty("pending").GetInt64() == 0, Timeout, "nothing pending");
        }

        // Third life: everything is still there, and delivering new members needs the stored API key decrypted by this silo.
        await using (var silo = await InProcessSilo.StartAsync(settings.WithFreePorts()))
        {
            using var api = new ApiDriver(silo.BaseAddress);
            var connection = await api.GetConnectionAsync(connectionId);
            Assert.Equal(simulator.Hostname, connection.GetProperty("hostname").GetString());
            Assert.EndsWith(simulatorOptions.ApiKeys[0][^4..], connection.GetProperty("apiKeyHint").GetString());

            var export = await api.GetExportAsync(exportId);
            Assert.Equal(first.ExpectedEmailsByProfile.Count, export.GetProperty("members").GetInt64());
            Assert.Equal(first.ExpectedEmailsByProfile.Count, export.GetProperty("inSync").GetInt64());

            await api.PostEventsAsync(added);
            await WaitForListAsync(simulator, first.ExpectedEmailsByProfile.Count + added.Count);
        }

        var keyRing = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobXmlRepository.ContainerName).GetBlobClient(BlobXmlRepository.KeyRingBlobName);
        Assert.Contains("<key ", (await keyRing.DownloadContentAsync()).Value.Content.ToString());
    }

    private static Task WaitForListAsync(ActiveCampaignSimulator simulator, int count) =>
        Eventually.WaitAsync(
            () => Task.FromResult(simulator.State.GetListContacts(ListId).Count(c => c.Status == 1)),
            subscribed => subscribed == count, Timeout, $"{count} subscribed contacts in the simulator");
}
