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

    [Fact]
    public async Task OptOut_LearnedBeforeARestart_StaysAfterIt()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "optout-" + Guid.NewGuid().ToString("N")[..8]);
        settings["ActiveCampaign:Limits:TimeScale"] = "60";
        var at = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        SegmentEvent Joined(string profile, int minute) => new(Guid.NewGuid().ToString("N"), "optout-segment", profile, SegmentEventType.Joined, at.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com" });

        // First life: two members subscribed; the person unsubscribes one by link, which then leaves: the status read
        // before the unsubscribe finds the person's choice, and the shard journals it.
        string exportId;
        await using (var silo = await InProcessSilo.StartAsync(settings.WithFreePorts()))
        {
            using var api = new ApiDriver(silo.BaseAddress);
            var connectionId = await api.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
            exportId = await api.CreateExportAsync(connectionId, ListId, "optout-segment");
            await api.StartRunAsync(exportId);
            await api.PostEventsAsync([Joined("keeper", 0), Joined("chooser", 0)]);
            await WaitForListAsync(simulator, 2);
            simulator.State.Unsubscribe("chooser@example.com", ListId);
            var syncs = simulator.State.GetStats().ContactSyncs;
            await api.PostEventsAsync([new SegmentEvent(Guid.NewGuid().ToString("N"), "optout-segment", "chooser", SegmentEventType.Left, at.AddMinutes(1), null)]);
            await Eventually.WaitAsync(() => Task.FromResult(simulator.State.GetStats().ContactSyncs), n => n > syncs, Timeout, "the leave to be sent");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        // Second life: the profile joins again; it is opted out, so nothing subscribes it.
        await using (var silo = await InProcessSilo.StartAsync(settings.WithFreePorts()))
        {
            using var api = new ApiDriver(silo.BaseAddress);
            await api.PostEventsAsync([Joined("chooser", 2)]);
            await Eventually.WaitAsync(() => api.GetExportAsync(exportId), e => e.GetProperty("optedOut").GetInt64() == 1 && e.GetProperty("members").GetInt64() == 2,
                Timeout, "the re-joined member opted out");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(2, simulator.State.GetListContacts(ListId).Single(c => c.Email == "chooser@example.com").Status);
            Assert.Equal(1, (await api.GetExportAsync(exportId)).GetProperty("inSync").GetInt64());
        }
    }

    private static Task WaitForListAsync(ActiveCampaignSimulator simulator, int count) =>
        Eventually.WaitAsync(
            () => Task.FromResult(simulator.State.GetListContacts(ListId).Count(c => c.Status == 1)),
            subscribed => subscribed == count, Timeout, $"{count} subscribed contacts in the simulator");
}
