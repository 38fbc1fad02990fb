using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

/// <summary>Injected faults: each does what it says to <c>/api/3</c>, is counted, and can be switched at run time.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task ErrorRate_AnswersServerErrorsWithoutProcessing_AndIsCountedExactly()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { ErrorRate = 0.3, Seed = 42 });

        var statuses = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await sim.Client.GetAsync("api/3/users/me");
            statuses.Add((int)response.StatusCode);
        }

        var view = sim.State.Faults.View();
        Assert.All(statuses, status => Assert.Contains(status, new[] { 200, 500, 502, 503 }));
        Assert.Equal(statuses.Count(s => s >= 500), view.Injected.Errors);
        Assert.InRange(view.Injected.Errors, 30, 90);
    }

    [Fact]
    public async Task DroppedConnection_FailsTheRequest_AndNothingIsImported()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { DroppedConnectionRate = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(() => sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(2) }));

        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Equal(1, sim.State.Faults.View().Injected.DroppedConnections);
    }

    [Fact]
    public async Task LostAnswer_ProcessesTheImport_ButTheClientSeesOnlyADroppedConnection()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { LostAnswerRate = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(() => sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(2) }));

        Assert.Equal(2, sim.State.GetListContacts("1").Count);
        Assert.Equal(1, sim.State.GetStats().BulkImports);
        Assert.Equal(1, sim.State.Faults.View().Injected.LostAnswers);
    }

    [Fact]
    public async Task ThrottleStorm_Answers429WithRetryAfter_UntilItEnds_InAccountTime()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.TimeScale = 10, time);
        using var control = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var set = await control.PostAsJsonAsync("_sim/faults", new { throttleStormDuration = "00:00:30", throttleStormRetryAfter = "00:00:02" });
        using var during = await sim.Client.GetAsync("api/3/users/me");
        time.Advance(TimeSpan.FromSeconds(2.95));
        using var nearTheEnd = await sim.Client.GetAsync("api/3/users/me");
        time.Advance(TimeSpan.FromSeconds(0.05));
        using var after = await sim.Client.GetAsync("api/3/users/me");

        Assert.Equal(200, (int)set.StatusCode);
        Assert.True((await TestSimulator.ReadJsonAsync(set))["throttleStormActive"]!.GetValue<bool>());
        Assert.Equal(429, (int)during.StatusCode);
        Assert.Equal("200", TestSimulator.Header(during, "X-Retry-After-Ms"));
        Assert.Equal(429, (int)nearTheEnd.StatusCode);
        Assert.Equal("50", TestSimulator.Header(nearTheEnd, "X-Retry-After-Ms"));
        Assert.Equal(200, (int)after.StatusCode);
        Assert.Equal(2, sim.State.Faults.View().Injected.StormThrottled);
        Assert.Equal(2, sim.State.GetStats().Throttled429);
    }

    [Fact]
    public async Task ImportInfoFaults_And_AcceptedThenFailedContacts()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { ImportInfoErrorRate = 1, FailedContactRate = 1 });
        using var control = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        var batch = await sim.ImportAsync(TestSimulator.Contacts(3));
        using var failedInfo = await sim.Client.GetAsync($"api/3/import/info?batchId={batch}");
        using var _ = await control.PostAsJsonAsync("_sim/faults", new { failedContactRate = 1.0 });
        var info = await sim.GetImportInfoAsync(batch);

        Assert.Equal(500, (int)failedInfo.StatusCode);
        Assert.Equal("completed", info["status"]!.GetValue<string>());
        Assert.Equal(3, info["failure"]!.AsArray().Count);
        Assert.Empty(info["success"]!.AsArray());
        Assert.Empty(sim.State.GetListContacts("1"));
    }

    [Fact]
    public async Task AddedLatency_DelaysEveryApiRequest()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { AddedLatency = TimeSpan.FromMilliseconds(300) });

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await sim.Client.GetAsync("api/3/users/me");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {started.Elapsed}");
    }

    [Fact]
    public async Task FaultsEndpoint_ShowsSwitchesOffAndRejectsInvalidSettings()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { ErrorRate = 1 });
        using var control = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var failing = await sim.Client.GetAsync("api/3/users/me");
        var shown = await TestSimulator.ReadJsonAsync(await control.GetAsync("_sim/faults"));
        using var invalid = await control.PostAsJsonAsync("_sim/faults", new { errorRate = 1.5 });
        using var cleared = await control.DeleteAsync("_sim/faults");
        using var healthy = await sim.Client.GetAsync("api/3/users/me");

        Assert.InRange((int)failing.StatusCode, 500, 503);
        Assert.Equal(1.0, shown["faults"]!["errorRate"]!.GetValue<double>());
        Assert.Equal(1, shown["injected"]!["errors"]!.GetValue<long>());
        Assert.Equal(400, (int)invalid.StatusCode);
        Assert.Contains("ErrorRate", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(0.0, (await TestSimulator.ReadJsonAsync(cleared))["faults"]!["errorRate"]!.GetValue<double>());
        Assert.Equal(200, (int)healthy.StatusCode);
    }

    [Fact]
    public void FaultsSection_IsBoundAndValidated()
    {
        var options = Resolve(new() { ["Simulator:Faults:ErrorRate"] = "0.1", ["Simulator:Faults:ThrottleStormDuration"] = "00:00:30" });

        Assert.Equal(0.1, options.Faults.ErrorRate);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Faults.ThrottleStormDuration);
        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Simulator:Faults:DroppedConnectionRate"] = "2" }));
    }

    private static SimulatorOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddActiveCampaignSimulator(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SimulatorOptions>>().Value;
    }
}
