using System.Diagnostics;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.Demo;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// Two silo processes clustered through Azurite; one is killed (no shutdown, no last write) in the middle
/// of an export, and the survivor must finish it with the ActiveCampaign list exactly right.
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
    public async Task KillOneOfTwoSilosMidExport_SurvivorFinishes_ListEqualsExpectedMembership()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = TimeScale };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "kill-" + Guid.NewGuid().ToString("N")[..8]);
        settings["ActiveCampaign:Limits:TimeScale"] = TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var victim = await SiloProcess.StartAsync("silo-1", settings.WithFreePorts());
        await using var survivor = await SiloProcess.StartAsync("silo-2", settings.WithFreePorts());
        using var victimApi = new ApiDriver(victim.BaseAddress);
        using var survivorApi = new ApiDriver(survivor.BaseAddress);
        await victimApi.WaitUntilReadyAsync(StartTimeout);
        await survivorApi.WaitUntilReadyAsync(StartTimeout);

        var generated = SegmentEventGenerator.Generate(Profiles, SegmentId, new ChurnOptions());
        var expected = generated.ExpectedEmailsByProfile.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var connectionId = await victimApi.CreateConnectionAsync(simulator.Hostname, simulatorOptions.ApiKeys[0]);
        var exportId = await victimApi.CreateExportAsync(connectionId, ListId, SegmentId);
        await victimApi.PostEventsAsync(generated.Events);

        // Every event is applied (and journaled by its shard) before the kill: this profile's streams are in memory.
        await Eventually.WaitAsync(() => victimApi.GetExportAsync(exportId), e => e.GetProperty("eventsReceived").GetInt64() == generated.Events.Count,
            StartTimeout, $"{generated.Events.Count} events received");
        await Eventually.WaitAsync(() => Task.FromResult(Subscribed(simulator).Count), count => count >= expected.Count / 3,
            FinishTimeout, "a third of the list delivered");

        var sentAtKill = Sends(simulator);
        victim.Kill();
        var sinceKill = Stopwatch.StartNew();
        var progress = await WatchProgressUntilDoneAsync(simulator, survivorApi, exportId, expected.Count, sinceKill);

        var subscribed = Subscribed(simulator);
        var export = await survivorApi.GetExportAsync(exportId);
        var duplicates = Sends(simulator) - expected.Count;
        output.WriteLine($"{Profiles} profiles, {generated.Events.Count} events, {expected.Count} expected members; killed {victim.Name} " +
                         $"after {sentAtKill} contact sends. Delivery stalled for {progress.LongestStall.TotalSeconds:F1} s after the kill " +
                         $"(recovery); the survivor finished {progress.FinishedAfter.TotalSeconds:F1} s after the kill. " +
                         $"Contacts sent more than once: {duplicates} ({Sends(simulator)} sends for {expected.Count} members).");

        Assert.True(subscribed.SetEquals(expected), $"list differs: {subscribed.Except(expected).Count()} unexpected, {expected.Except(subscribed).Count()} missing");
        Assert.Equal(expected.Count, export.GetProperty("members").GetInt64());
        Assert.Equal(expected.Count, export.GetProperty("inSync").GetInt64());
        Assert.False(survivor.HasExited, survivor.Output);
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
