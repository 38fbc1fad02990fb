using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

public sealed class InspectionTests
{
    [Fact]
    public async Task CreatedList_IsServedByTheApi_AndItsContactsAreInspectable()
    {
        await using var sim = await TestSimulator.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var created = await anonymous.PostAsJsonAsync("_sim/lists", new { id = "42" });
        using var again = await anonymous.PostAsJsonAsync("_sim/lists", new { id = "42" });
        using var viaApi = await sim.Client.GetAsync("api/3/lists/42");
        await sim.ImportAsync(new { email = "ann@example.com", first_name = "Ann", phone = "555", tags = new[] { "t1" }, fields = new object[] { new { id = 7, value = "x" } }, subscribe = new[] { new { listid = "42" } } });
        var contacts = (await TestSimulator.ReadJsonAsync(await anonymous.GetAsync("_sim/lists/42/contacts"))).AsArray();
        using var unknown = await anonymous.GetAsync("_sim/lists/nope/contacts");

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal(200, (int)again.StatusCode);
        Assert.Equal(200, (int)viaApi.StatusCode);
        var ann = Assert.Single(contacts)!;
        Assert.Equal("ann@example.com", ann["email"]!.GetValue<string>());
        Assert.Equal("Ann", ann["firstName"]!.GetValue<string>());
        Assert.Null(ann["lastName"]);
        Assert.Equal("555", ann["phone"]!.GetValue<string>());
        Assert.Equal(1, ann["status"]!.GetValue<int>());
        Assert.Equal("x", ann["fields"]!["7"]!.GetValue<string>());
        Assert.Equal("t1", Assert.Single(ann["tags"]!.AsArray())!.GetValue<string>());
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Fact]
    public async Task Stats_CountEveryKindOfCall_AndInspectionIsNeitherAuthenticatedNorCounted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 21, 0, 0, TimeSpan.Zero));
        await using var sim = await TestSimulator.StartAsync(time: time);
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        string batch = await sim.ImportAsync(TestSimulator.Contacts(3));
        time.Advance(TimeSpan.FromSeconds(30));
        await sim.ImportAsync(TestSimulator.Contact("single@example.com"));
        await sim.GetImportInfoAsync(batch);
        (await sim.PostJsonAsync("api/3/contact/sync", new { contact = new { email = "sync@example.com" } })).Dispose();
        (await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 1, contact = 1, status = 2 } })).Dispose();
        (await sim.Client.GetAsync("api/3/lists/99")).Dispose();
        (await anonymous.GetAsync("api/3/users/me")).Dispose();
        var stats = (await TestSimulator.ReadJsonAsync(await anonymous.GetAsync("_sim/stats")))!;

        Assert.Equal(7, stats["requests"]!.GetValue<long>());
        Assert.Equal(1, stats["bulkImports"]!.GetValue<long>());
        Assert.Equal(1, stats["singleContactImports"]!.GetValue<long>());
        Assert.Equal(4, stats["contactsImported"]!.GetValue<long>());
        Assert.Equal(1, stats["importInfoCalls"]!.GetValue<long>());
        Assert.Equal(1, stats["contactSyncs"]!.GetValue<long>());
        Assert.Equal(1, stats["contactListUpdates"]!.GetValue<long>());
        Assert.Equal(1, stats["badRequests"]!.GetValue<long>());
        Assert.Equal(1, stats["forbidden"]!.GetValue<long>());
        Assert.Equal(0, stats["throttled429"]!.GetValue<long>());
        Assert.Equal(time.Start, stats["firstImportAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(time.Start.AddSeconds(30), stats["lastImportAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Reset_ClearsContactsBatchesStatsAndWindows_ButKeepsLists()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.RequestsPerSecond = 3, time);
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };
        sim.State.AddList("42");

        string batch = await sim.ImportAsync(TestSimulator.Contacts(2));
        (await sim.Client.GetAsync("api/3/users/me")).Dispose();
        (await sim.Client.GetAsync("api/3/users/me")).Dispose();
        using var throttled = await sim.Client.GetAsync("api/3/users/me");
        using var reset = await anonymous.PostAsync("_sim/reset", content: null);
        using var oldBatch = await sim.Client.GetAsync($"api/3/import/info?batchId={batch}");
        var statsAfterOneCall = sim.State.GetStats();

        Assert.Equal(429, (int)throttled.StatusCode);
        Assert.Equal(204, (int)reset.StatusCode);
        Assert.Equal(404, (int)oldBatch.StatusCode);
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Equal((1, 0, 0, null), (statsAfterOneCall.Requests, statsAfterOneCall.BulkImports, statsAfterOneCall.Throttled429, statsAfterOneCall.FirstImportAt));
        Assert.True(sim.State.ListExists("42"));
        await sim.ImportAsync(TestSimulator.Contact("fresh@example.com"));
        Assert.Equal("1", sim.SingleContact("1").Id); // contact ids start over
    }
}
