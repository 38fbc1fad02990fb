using System.Diagnostics;
using OrleansExport.Demo;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// Silo processes clustered through Azurite, killed with no shutdown and no last write: one right after the
/// segment's events were acknowledged (the segment state must survive), one in the middle of the export's
/// first run (the others must finish it with the ActiveCampaign list exactly right).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiloKillTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string ListId = "1";
    private const string SegmentId = "kill-segment";
    private const int Profiles = 20_000;

    /// <summary>Per-minute limits apply per 30 s: the export takes long enough to be killed in the middle of it.</summary>
    private const double TimeScale = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FinishTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task KillAfterIngest_ThenKillMidRun_TheSegmentIsIntact_AndTheListEqualsExpectedMembership()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = TimeScale };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "kill-" + Guid.NewGuid().ToString("N")[..8]);
        settings["ActiveCampaign:Limits:TimeScale"] = TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var first = await SiloProcess.StartAsync("silo-1", settings.WithFreePorts());
        await using var second = await SiloProcess.StartAsync("silo-2", settings.WithFreePorts());
        using var firstApi = new ApiDriver(first.BaseAddress);
        using var secondApi = new ApiDriver(second.BaseAddress);
        await firstApi.WaitUntilReadyAsync(StartTimeout);
        await secondApi.WaitUntilReadyAsync(StartTimeout);

        var generated = SegmentEventGenerator.Generate(Profiles, SegmentId, new ChurnOptions());
        var expected = generated.ExpectedEmailsByProfile.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var connectionId = await firstApi.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
        await firstApi.PostEventsAsync(generated.Events);

        // Every event is applied (and journaled by its segment shard) before the kill: this profile's streams are in memory.
        await firstApi.WaitForSegmentAsync(SegmentId, generated.Events.Count, StartTimeout);
        first.Kill();

        // The segment's shards that lived on the dead silo come back from their snapshots and journals.
        await using var third = await SiloProcess.StartAsync("silo-3", settings.WithFreePorts());
        using var thirdApi = new ApiDriver(third.BaseAddress);
        await thirdApi.WaitUntilReadyAsync(StartTimeout);
        var exportId = await Eventually.WaitAsync(() => TryCreateExportAsync(secondApi, connectionId), id => id is not null, StartTimeout, "the export to be created")
            ?? throw new InvalidOperationException("no export");
        Assert.Equal(expected.Count, (await secondApi.GetExportAsync(exportId)).GetProperty("members").GetInt64());
        await secondApi.StartRunAsync(exportId);
        await Eventually.WaitAsync(() => Task.FromResult(Subscribed(simulator).Count), count => count >= expected.Count / 3,
            FinishTimeout, "a third of the list delivered");

        var sentAtKill = Sends(simulator);
        second.Kill();
        var sinceKill = Stopwatch.StartNew();
        var progress = await WatchProgressUntilDoneAsync(simulator, thirdApi, exportId, expected.Count, sinceKill);

        var subscribed = Subscribed(simulator);
        var export = await thirdApi.GetExportAsync(exportId);
        var duplicates = Sends(simulator) - expected.Count;
        output.WriteLine($"{Profiles} profiles, {generated.Events.Count} events, {expected.Count} expected members; killed {first.Name} after ingest " +
                         $"and {second.Name} after {sentAtKill} contact sends. Delivery stalled for {progress.LongestStall.TotalSeconds:F1} s after the kill " +
                         $"(recovery); the survivor finished {progress.FinishedAfter.TotalSeconds:F1} s after the kill. " +
                         $"Contacts sent more than once: {duplicates} ({Sends(simulator)} sends for {expected.Count} members).");

        Assert.True(subscribed.SetEquals(expected), $"list differs: {subscribed.Except(expected).Count()} unexpected, {expected.Except(subscribed).Count()} missing");
        Assert.Equal(expected.Count, export.GetProperty("members").GetInt64());
        Assert.Equal(expected.Count, export.GetProperty("inSync").GetInt64());
        Assert.False(third.HasExited, third.Output);
    }

    /// <summary>Null while the cluster has not yet declared the killed silo dead (calls to its grains fail meanwhile).</summary>
    private static async Task<string?> TryCreateExportAsync(ApiDriver api, string connectionId)
    {
        try
        {
            return await api.CreateExportAsync(connectionId, ListId, SegmentId);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
        {
            return null;
        }
    }

    private static HashSet<string> Subscribed(ActiveCampaignSimulator simulator) =>
        simulator.State.GetListContacts(ListId).Where(c => c.Status == 1).Select(c => c.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Contacts handed to ActiveCampaign: in bulk imports and one by one.</summary>
    private static long Sends(ActiveCampaignSimulator simulator)
    {
        var stats = simulator.State.GetStats();
        return stats.ContactsImported + stats.ContactSyncs;
    }

    private sealed record Progress(TimeSpan LongestStall, TimeSpan FinishedAfter);

    /// <summary>Samples the simulator until the export is done; the longest stretch with no contact accepted is the recovery time.</summary>
    private static async Task<Progress> WatchProgressUntilDoneAsync(ActiveCampaignSimulator simulator, ApiDriver api, string exportId, int members, Stopwatch sinceKill)
    {
        var lastSends = Sends(simulator);
        var lastChange = TimeSpan.Zero;
        var longestStall = TimeSpan.Zero;
        while (sinceKill.Elapsed < FinishTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var sends = Sends(simulator);
            if (sends != lastSends)
            {
                longestStall = TimeSpan.FromTicks(Math.Max(longestStall.Ticks, (sinceKill.Elapsed - lastChange).Ticks));
                lastSends = sends;
                lastChange = sinceKill.Elapsed;
            }

            if (Subscribed(simulator).Count == members && await IsSettledAsync(api, exportId))
            {
                return new Progress(longestStall, sinceKill.Elapsed);
            }
        }

        Assert.Fail($"The survivor did not finish within {FinishTimeout.TotalMinutes} minutes: {Subscribed(simulator).Count}/{members} subscribed.");
        return null!;
    }

    private static async Task<bool> IsSettledAsync(ApiDriver api, string exportId)
    {
        try
        {
            var export = await api.GetExportAsync(exportId);
            return export.GetProperty("pending").GetInt64() == 0;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
        {
            // While the cluster has not yet declared the killed silo dead, calls to its grains fail.
            return false;
        }
    }
}
