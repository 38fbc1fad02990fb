using System.Net.Http.Json;

namespace OrleansExport.Simulator.Tests;

/// <summary>The answers that are not what they seem: a login page for a revoked key, and the bulk import's 400 rate limit.</summary>
public sealed class RefusedKeyAndRateLimitAnswerTests
{
    [Fact]
    public async Task RevokedKey_GetsTheHtmlLoginPageWith200_UnknownKey403_ANewKeyWorks()
    {
        await using var sim = await TestSimulator.StartAsync();
        using var control = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var revoke = await control.DeleteAsync($"_sim/keys/{TestSimulator.ApiKey}");
        using var revoked = await sim.Client.GetAsync("api/3/users/me");
        using var added = await control.PostAsJsonAsync("_sim/keys", new { key = "sim-key-2" });
        using var unknown = await Send("sim-key-3");
        using var fresh = await Send("sim-key-2");
        var keys = await TestSimulator.ReadJsonAsync(await control.GetAsync("_sim/keys"));

        Assert.Equal(204, (int)revoke.StatusCode);
        Assert.Equal(200, (int)revoked.StatusCode);
        Assert.Equal("text/html", revoked.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<form", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(201, (int)added.StatusCode);
        Assert.Equal(403, (int)unknown.StatusCode);
        Assert.Equal(200, (int)fresh.StatusCode);
        Assert.Equal("application/json", fresh.Content.Headers.ContentType?.MediaType);
        Assert.Equal((1, 1), (keys["valid"]!.GetValue<int>(), keys["revoked"]!.GetValue<int>()));
        Assert.DoesNotContain("sim-key", keys.ToJsonString());

        Task<HttpResponseMessage> Send(string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/3/users/me");
            request.Headers.Add("Api-Token", key);
            return control.SendAsync(request);
        }
    }

    [Fact]
    public async Task ImportRateLimitFault_AnswersTheDocumented400_NamingNoContact_AndQueuesNothing()
    {
        await using var sim = await TestSimulator.StartAsync(options => options.Faults = new SimulatorFaults { ImportRateLimitRate = 1 });

        using var response = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(3) });

        var body = await TestSimulator.ReadJsonAsync(response);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("Rate limit exceeded.", body["message"]!.GetValue<string>());
        Assert.Contains("imports may be requested per minute", body["failureReasons"]![0]!.GetValue<string>());
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Equal(0, sim.State.GetStats().BulkImports);
        Assert.Equal(1, sim.State.Faults.View().Injected.ImportRateLimits);
    }

    [Fact]
    public async Task LoginPageFault_AnswersHtmlWith200_ToAValidKey()
    {
        await using var sim = await TestSimulator.StartAsync(options => options.Faults = new SimulatorFaults { LoginPageRate = 1 });

        using var response = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(3) });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Equal(1, sim.State.Faults.View().Injected.LoginPages);
    }
}
