using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

public sealed class ImportApplyTests
{
    [Fact]
    public async Task BulkImport_IsProcessingUntilTheApplyDelayPasses_ThenCompletedWithContactIds()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.ImportApplyDelay = TimeSpan.FromMilliseconds(200), time);
        object[] contacts =
        [
            new { email = "ann@example.com", first_name = "Ann", last_name = "Lee", phone = "+47 555", tags = new[] { "vip" }, fields = new object[] { new { id = 7, value = "gold" } }, subscribe = new[] { new { listid = "1" } } },
            new { email = "bob@example.com", subscribe = new[] { new { listid = 1 } } },
            new { email = "nolist@example.com", subscribe = new[] { new { listid = "404" } } },
        ];

        string batchId = await sim.ImportAsync(contacts);
        var queued = await sim.GetImportInfoAsync(batchId);
        time.Advance(TimeSpan.FromMilliseconds(199));
        var almost = await sim.GetImportInfoAsync(batchId);
        bool appliedEarly = sim.State.GetListContacts("1").Count > 0;
        time.Advance(TimeSpan.FromMilliseconds(1));
        var done = await sim.GetImportInfoAsync(batchId);

        Assert.Equal("processing", queued["status"]!.GetValue<string>());
        Assert.Empty(queued["success"]!.AsArray());
        Assert.Equal("processing", almost["status"]!.GetValue<string>());
        Assert.False(appliedEarly);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(new[] { "1", "2" }, done["success"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(new[] { "nolist@example.com" }, done["failure"]!.AsArray().Select(n => n!.GetValue<string>()));
        var ann = sim.State.GetListContacts("1")[0];
        Assert.Equal(("Ann", "Lee", "+47 555", 1), (ann.FirstName, ann.LastName, ann.Phone, ann.Status));
        Assert.Equal("gold", ann.Fields["7"]);
        Assert.Equal(new[] { "vip" }, ann.Tags);
    }

    [Fact]
    public async Task BulkImport_OnTheRealClock_CompletesAfterTheDelay()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.ImportApplyDelay = TimeSpan.FromMilliseconds(50));

        string batchId = await sim.ImportAsync(TestSimulator.Contacts(3));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string status;
        while ((status = (await sim.GetImportInfoAsync(batchId))["status"]!.GetValue<string>()) != "completed" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal("completed", status);
        Assert.Equal(3, sim.State.GetListContacts("1").Count);
    }

    [Fact]
    public async Task ImportInfo_ForUnknownBatch_Answers404()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.Client.GetAsync($"api/3/import/info?batchId={Guid.NewGuid()}");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal(1, sim.State.GetStats().ImportInfoCalls);
    }

    [Fact]
    public async Task Import_UpsertsByEmailIgnoringCase_KeepingValuesNotResent()
    {
        await using var sim = await TestSimulator.StartAsync();

        await sim.ImportAsync(new { email = "Ann@Example.com", first_name = "Ann", tags = new[] { "a" }, fields = new object[] { new { id = 7, value = "x" } }, subscribe = new[] { new { listid = "1" } } });
        await sim.ImportAsync(new { email = "ann@example.COM", last_name = "Lee", tags = new[] { "b" }, fields = new object[] { new { id = "7", value = "y" }, new { id = 8, value = "z" } } });

        var ann = sim.SingleContact("1");
        Assert.Equal(("Ann@Example.com", "Ann", "Lee"), (ann.Email, ann.FirstName, ann.LastName));
        Assert.Equal(new[] { "a", "b" }, ann.Tags);
        Assert.Equal(new Dictionary<string, string> { ["7"] = "y", ["8"] = "z" }, ann.Fields);
    }

    [Fact]
    public async Task LeaveThenRejoin_BulkSubscribeKeepsUnsubscribed_ContactListsResubscribes()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        string id = sim.SingleContact("1").Id;

        await sim.ImportAsync(new { email = "ann@example.com", unsubscribe = new[] { new { listid = "1" } } });
        int afterLeave = sim.SingleContact("1").Status;
        string rejoin = await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        var rejoinInfo = await sim.GetImportInfoAsync(rejoin);
        int afterBulkRejoin = sim.SingleContact("1").Status;
        using var resubscribe = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 1, contact = int.Parse(id), status = 1 } });

        Assert.Equal(2, afterLeave);
        Assert.Equal(new[] { id }, rejoinInfo["success"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(2, afterBulkRejoin);
        Assert.Equal(200, (int)resubscribe.StatusCode);
        Assert.Equal(1, sim.SingleContact("1").Status);
    }
}
