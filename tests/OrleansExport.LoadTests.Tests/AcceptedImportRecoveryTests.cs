using OrleansExport.Demo;
using OrleansExport.LoadTests.Targets;
using OrleansExport.Simulator;
using OrleansExport.TestSupport;

namespace OrleansExport.LoadTests.Tests;

/// <summary>
/// The production profile (two silo processes, Azure Storage in Azurite, shard and import journals): the silo that runs
/// the export's delivery loop is killed (kill -9) while ActiveCampaign holds every import it accepted as "processing",
/// so that no import/info answer came back before the kill. The survivor asks import/info about the journaled imports
/// before it releases the leases: none of their contacts is sent again, and the list ends exact.
/// </summary>
public sealed class AcceptedImportRecoveryTests
{
    private const double TimeScale = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task KillingTheSendingSilo_BeforeImportInfoAnswered_SendsNoContactOfTheAcceptedImportsAgain()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var cancellationToken = cancellation.Token;
        // Imports stay "processing" 20 s (real): the kill comes while the loop still asks import/info about them.
        var simulatorOptions = new SimulatorOptions { TimeScale = TimeScale, ImportApplyDelay = TimeSpan.FromSeconds(20 * TimeScale) };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        await using var azure = await HarnessAzurite.StartAsync(null, cancellationToken);
        var options = new LoadTestOptions
        {
            Profiles = 1_000,
            TimeScale = TimeScale,
            KillSilo = true,
            Churn = ChurnOptions.None,
            SiloSettings = ["Export:ImportInfoTimeout=02:00:00"],
        };
        await using var cluster = await SiloProcessCluster.StartAsync(options, azure, cancellationToken);
        var load = GeneratedLoad.Create(options);
        await cluster.Events.PublishAsync(load.Events, cancellationToken);
        var segment = cluster.Grains.GetGrain<ISegmentGrain>(GeneratedLoad.SegmentId);
        await Eventually.WaitAsync(async () => (await segment.GetAsync())?.Members ?? 0, members => members == load.ExpectedMembers, Timeout, "the segment to hold every member");

        var connectionId = "con-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Null((await cluster.Grains.GetGrain<IConnectionGrain>(connectionId).CreateAsync(new ConnectionRequest(
            "Simulator", simulator.Hostname, simulatorOptions.ApiKeys[0], AllowContributors: false, DataPrivacyConsent: true, ProfileCap: null, CreatedBy: "tests"))).Error);
        var exportId = "exp-" + Guid.NewGuid().ToString("N")[..8];
        var export = cluster.Grains.GetGrain<IExportGrain>(exportId);
        var mapping = new ContactMapping("EmailAddress", "FirstName", "LastName", null, [new FieldMapping("Tier", 1)], []);
        Assert.Null((await export.CreateAsync(new ExportDefinition(exportId, "Recovery", connectionId, "1", [GeneratedLoad.SegmentId], mapping,
            LeaveAction.Unsubscribe, null, "tests", DateTimeOffset.UtcNow))).Error);
        Assert.Null((await cluster.Grains.GetGrain<IExportRunsGrain>(exportId).StartRunAsync("tests", "tests")).Error);

        // Every member went out in a bulk import ActiveCampaign accepted, and none is applied yet.
        await Eventually.WaitAsync(() => Task.FromResult(Sends(simulator)), sends => sends >= load.ExpectedMembers, Timeout, "every member to be sent once");
        Assert.Empty(Subscribed(simulator));
        var sentAtKill = Sends(simulator);
        await cluster.KillSiloOf(export);

        await Eventually.WaitAsync(() => IsSettledAsync(export, simulator, load.ExpectedMembers), settled => settled, Timeout, "the survivor to finish the run");

        Assert.Equal(load.ExpectedMembers, sentAtKill);
        Assert.Equal(sentAtKill, Sends(simulator));
        Assert.Equal(load.ExpectedMembers, Subscribed(simulator).Count);
        var status = (await export.GetStatusAsync())!;
        Assert.Equal(load.ExpectedMembers, status.Counters.Members);
        Assert.Equal(load.ExpectedMembers, status.Counters.InSync);
    }

    private static long Sends(ActiveCampaignSimulator simulator)
    {
        var stats = simulator.State.GetStats();
        return stats.ContactsImported + stats.ContactSyncs;
    }

    private static HashSet<string> Subscribed(ActiveCampaignSimulator simulator) =>
        simulator.State.GetListContacts("1").Where(c => c.Status == 1).Select(c => c.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>False while the cluster has not declared the killed silo dead (calls to its grains fail meanwhile).</summary>
    private static async Task<bool> IsSettledAsync(IExportGrain export, ActiveCampaignSimulator simulator, int members)
    {
        try
        {
            return Subscribed(simulator).Count == members && (await export.GetStatusAsync())!.Counters is { Pending: 0 } counters && counters.InSync == members;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
