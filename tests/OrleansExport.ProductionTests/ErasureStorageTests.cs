using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// Right to erasure in the production storage: after an erasure and the next snapshot, nothing of the profile's
/// email or attributes remains in any blob (shard state, journals) or table entity (grain state, dead letters) in Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ErasureStorageTests(AzuriteFixture azurite)
{
    private const string ListId = "1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AfterAnErasureAndTheNextSnapshot_NoBlobOrTableHoldsTheProfilesEmailOrAttributes()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var (email, workEmail, nickname, bobEmail) = ($"ann-{run}@example.com", $"work-{run}", $"Nick{run}", $"bob-{run}@example.com");
        var (segmentA, segmentB) = ($"erase-a-{run}", $"erase-b-{run}");
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "erasure-" + run[..8]);
        settings["ActiveCampaign:Limits:TimeScale"] = "60";
        settings["Export:ShardPersistInterval"] = "00:00:01";

        await using var silo = await InProcessSilo.StartAsync(settings.WithFreePorts());
        using var api = new ApiDriver(silo.BaseAddress);
        var connection = await api.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
        // Ann is in two segments; the second export maps an email she has wrong, so it keeps a rejection that quotes it.
        var annAttributes = new Dictionary<string, string> { ["EmailAddress"] = email, ["WorkEmail"] = workEmail, ["FirstName"] = nickname, ["LastName"] = "Lee" };
        await api.PostEventsAsync([
            new SegmentEvent($"a-ann-{run}", segmentA, "ann", SegmentEventType.Joined, T0, annAttributes),
            new SegmentEvent($"a-bob-{run}", segmentA, "bob", SegmentEventType.Joined, T0, new Dictionary<string, string> { ["EmailAddress"] = bobEmail, ["WorkEmail"] = bobEmail }),
            new SegmentEvent($"b-ann-{run}", segmentB, "ann", SegmentEventType.Joined, T0, annAttributes)]);
        await api.WaitForSegmentAsync(segmentA, 2, Timeout);
        await api.WaitForSegmentAsync(segmentB, 1, Timeout);
        var export = await api.CreateExportAsync(connection, ListId, segmentA);
        var rejecting = await api.CreateExportAsync(connection, ListId, segmentB, emailAttribute: "WorkEmail");
        await api.StartRunAsync(export);
        await Eventually.WaitAsync(() => Task.FromResult(Subscribed(simulator, email)), subscribed => subscribed, Timeout, "ann subscribed");
        await Eventually.WaitAsync(() => api.GetExportAsync(rejecting), e => e.GetProperty("rejected").GetInt64() == 1, Timeout, "ann's work email rejected");
        await Eventually.WaitAsync(() => StorageHoldsAsync(email, workEmail, nickname), held => held, Timeout, "ann's data stored (the scan sees it)");

        await api.PostEventsAsync([new SegmentEvent($"erase-ann-{run}", segmentA, "ann", SegmentEventType.Erased, T0.AddMinutes(1), null)]);

        await Eventually.WaitAsync(() => Task.FromResult(simulator.State.GetListContacts(ListId).Single(c => c.Email == email).Status), status => status == 2, Timeout, "ann unsubscribed");
        await Eventually.WaitAsync(() => StorageHoldsAsync(email, workEmail, nickname), held => !held, Timeout, "no trace of ann in storage");
        Assert.True(await StorageHoldsAsync(bobEmail), "bob's data is still stored: the scan reads what the silo wrote");
        Assert.Equal(1, (await api.GetExportAsync(export)).GetProperty("erased").GetInt64());
        Assert.Equal(1, (await api.GetExportAsync(rejecting)).GetProperty("erased").GetInt64());
        Assert.Equal(0, (await api.GetSegmentAsync(segmentB)).GetProperty("members").GetInt64());
    }

    private static bool Subscribed(ActiveCampaignSimulator simulator, string email) =>
        simulator.State.GetListContacts(ListId).Any(c => c.Email == email && c.Status == 1);

    /// <summary>Whether any blob of any container, or any property of any table entity, holds one of <paramref name="texts"/>.</summary>
    private async Task<bool> StorageHoldsAsync(params string[] texts)
    {
        var needles = texts.Select(Encoding.UTF8.GetBytes).ToArray();
        bool Holds(ReadOnlySpan<byte> bytes)
        {
            foreach (var needle in needles)
            {
                if (bytes.IndexOf(needle) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        var blobs = new BlobServiceClient(azurite.ConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                BinaryData content;
                try
                {
                    content = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content;
                }
                catch (Azure.RequestFailedException gone) when (gone.Status == 404)
                {
                    continue; // a journal the silo deleted after a snapshot, between the listing and the download
                }

                if (Holds(content.ToMemory().Span))
                {
                    return true;
                }
            }
        }

        var tables = new TableServiceClient(azurite.ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                foreach (var value in ((IDictionary<string, object>)entity).Values)
                {
                    var bytes = value switch
                    {
                        byte[] binary => binary,
                        BinaryData data => data.ToArray(),
                        string text => Encoding.UTF8.GetBytes(text),
                        _ => [],
                    };
                    if (Holds(bytes))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
