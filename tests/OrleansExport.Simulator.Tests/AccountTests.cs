namespace OrleansExport.Simulator.Tests;

public sealed class AccountTests
{
    [Fact]
    public async Task MissingOrUnknownKey_Answers403AndIsCounted()
    {
        await using var sim = await TestSimulator.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var missing = await anonymous.GetAsync("api/3/users/me");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/3/lists/1") { Headers = { { "Api-Token", "not-a-key" } } };
        using var wrongResponse = await anonymous.SendAsync(wrong);

        Assert.Equal(403, (int)missing.StatusCode);
        Assert.Equal(403, (int)wrongResponse.StatusCode);
        Assert.StartsWith("No Result found", (await TestSimulator.ReadJsonAsync(wrongResponse))["message"]!.GetValue<string>());
        var stats = sim.State.GetStats();
        Assert.Equal(2, stats.Forbidden);
        Assert.Equal(2, stats.Requests);
    }

    [Fact]
    public async Task EveryConfiguredKey_BelongsToTheAccount()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.ApiKeys = ["key-a", "key-b"]);
        using var client = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        foreach (string key in new[] { "key-a", "key-b" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/3/users/me") { Headers = { { "Api-Token", key } } };
            using var response = await client.SendAsync(request);
            var json = await TestSimulator.ReadJsonAsync(response);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("1", json["user"]!["id"]!.GetValue<string>());
        }

        using var defaultKey = await sim.Client.GetAsync("api/3/users/me");
        Assert.Equal(403, (int)defaultKey.StatusCode);
    }

    [Fact]
    public async Task GetList_ReturnsExistingList_And404WithMessageForUnknown()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var found = await sim.Client.GetAsync("api/3/lists/2");
        using var missing = await sim.Client.GetAsync("api/3/lists/99");

        var list = (await TestSimulator.ReadJsonAsync(found))["list"]!;
        Assert.Equal(200, (int)found.StatusCode);
        Assert.Equal("2", list["id"]!.GetValue<string>());
        Assert.Equal("list-2", list["stringid"]!.GetValue<string>());
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("No Result found for List with id 99", (await TestSimulator.ReadJsonAsync(missing))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hostname_IsHostAndPortOfBaseAddress()
    {
        await using var sim = await TestSimulator.StartAsync();

        Assert.Equal($"127.0.0.1:{sim.Simulator.BaseAddress.Port}", sim.Simulator.Hostname);
        Assert.NotEqual(0, sim.Simulator.BaseAddress.Port);
        Assert.Equal("/", sim.Simulator.BaseAddress.AbsolutePath);
    }

    [Fact]
    public async Task StartAsync_WithInvalidOptions_Throws()
    {
        var options = new SimulatorOptions { TimeScale = 0 };

        await Assert.ThrowsAsync<System.ComponentModel.DataAnnotations.ValidationException>(() => ActiveCampaignSimulator.StartAsync(options));
    }
}
