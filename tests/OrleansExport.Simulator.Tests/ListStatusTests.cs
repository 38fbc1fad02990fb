using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

/// <summary>
/// A contact's status on a list (0-3) and who set it, as <c>GET /api/3/contacts/{id}/contactLists</c> answers it, and the
/// people's actions of <c>/_sim/people</c> that change it outside the API.
/// </summary>
public sealed class ListStatusTests
{
    [Fact]
    public async Task ImportedContact_IsActiveWithSourceZero_ThenUnsubscribingThroughACampaignLink_RecordsTheCampaignAndAPublicSource()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        await using var sim = await TestSimulator.StartAsync(time: time);
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        var imported = await ListStatusAsync(sim, "1", "1");

        time.Advance(TimeSpan.FromHours(1));
        using var unsubscribe = await sim.Client.PostAsync("_sim/people/ann%40example.com/unsubscribe?list=1&by=link&campaign=7&reason=Too%20many", null);
        var unsubscribed = await ListStatusAsync(sim, "1", "1");

        Assert.Equal(("1", "0", "2026-12-07T10:00:00+00:00"), (Text(imported, "status"), Text(imported, "sourceid"), Text(imported, "sdate")));
        Assert.Null(imported["udate"]);
        Assert.Null(imported["campaign"]);
        Assert.Equal(204, (int)unsubscribe.StatusCode);
        Assert.Equal(("2", "4", "7", "Too many"), (Text(unsubscribed, "status"), Text(unsubscribed, "sourceid"), Text(unsubscribed, "campaign"), Text(unsubscribed, "unsubreason")));
        Assert.Equal(("2026-12-07T10:00:00+00:00", "2026-12-07T11:00:00+00:00"), (Text(unsubscribed, "sdate"), Text(unsubscribed, "udate")));
        Assert.True(unsubscribed.AsObject().ContainsKey("unsubscribeAutomation"));
        Assert.Equal(2, sim.SingleContact("1").Status);
    }

    [Fact]
    public async Task UserUnsubscribe_HardBounce_AndFormResubscribe_EachLeaveTheirOwnSource()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(new { email = "ann@example.com", subscribe = new[] { new { listid = "1" }, new { listid = "2" } } });
        await sim.ImportAsync(TestSimulator.Contact("bob@example.com"));

        using var byUser = await sim.Client.PostAsync("_sim/people/ann%40example.com/unsubscribe?list=1&by=user", null);
        var afterUser = await ListStatusAsync(sim, "1", "1");
        using var bounce = await sim.Client.PostAsync("_sim/people/ann%40example.com/bounce", null);
        var bounced1 = await ListStatusAsync(sim, "1", "1");
        var bounced2 = await ListStatusAsync(sim, "1", "2");
        using var resubscribe = await sim.Client.PostAsync("_sim/people/ann%40example.com/resubscribe?list=2", null);
        var resubscribed = await ListStatusAsync(sim, "1", "2");
        using var unconfirmed = await sim.Client.PostAsync("_sim/people/bob%40example.com/resubscribe?list=3&confirmed=false", null);

        Assert.Equal((204, 204, 204, 204), ((int)byUser.StatusCode, (int)bounce.StatusCode, (int)resubscribe.StatusCode, (int)unconfirmed.StatusCode));
        Assert.Equal(("2", "1"), (Text(afterUser, "status"), Text(afterUser, "sourceid")));
        Assert.Null(afterUser["campaign"]);
        Assert.Equal(("3", "7"), (Text(bounced1, "status"), Text(bounced1, "sourceid")));
        Assert.Equal(("3", "7"), (Text(bounced2, "status"), Text(bounced2, "sourceid")));
        Assert.Equal(("1", "4"), (Text(resubscribed, "status"), Text(resubscribed, "sourceid")));
        Assert.Null(resubscribed["udate"]);
        Assert.Equal(0, sim.SingleContact("3").Status);
    }

    [Fact]
    public async Task BulkImport_NeverResubscribesAnUnsubscribedOrBouncedContact_ButContactListsResubscribesAnyoneWithSourceZero()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"), TestSimulator.Contact("bob@example.com"));
        sim.State.Unsubscribe("ann@example.com", "1");
        sim.State.Bounce("bob@example.com", "1");

        string batchId = await sim.ImportAsync(TestSimulator.Contact("ann@example.com"), TestSimulator.Contact("bob@example.com"));
        var info = await sim.GetImportInfoAsync(batchId);
        var annAfterImport = await ListStatusAsync(sim, "1", "1");
        var bobAfterImport = await ListStatusAsync(sim, "2", "1");
        using var resubscribe = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "1", contact = "1", status = 1 } });
        var annAfterApi = await ListStatusAsync(sim, "1", "1");

        Assert.Equal(2, info["success"]!.AsArray().Count);
        Assert.Equal(("2", "4"), (Text(annAfterImport, "status"), Text(annAfterImport, "sourceid")));
        Assert.Equal(("3", "7"), (Text(bobAfterImport, "status"), Text(bobAfterImport, "sourceid")));
        Assert.Equal(200, (int)resubscribe.StatusCode);
        Assert.Equal(("1", "0"), (Text(annAfterApi, "status"), Text(annAfterApi, "sourceid")));
        Assert.Null(annAfterApi["campaign"]);
    }

    [Fact]
    public async Task AnApiWriteOfTheStatusAContactHasAlready_KeepsWhoSetIt()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        sim.State.Unsubscribe("ann@example.com", "1", campaignId: "9");

        using var again = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "1", contact = "1", status = 2 } });
        var status = await ListStatusAsync(sim, "1", "1");

        Assert.Equal(200, (int)again.StatusCode);
        Assert.Equal(("2", "4", "9"), (Text(status, "status"), Text(status, "sourceid"), Text(status, "campaign")));
    }

    [Fact]
    public async Task ContactLists_ListsEveryListTheContactIsOn_AndAnUnknownContactAnswers404()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(new { email = "ann@example.com", subscribe = new[] { new { listid = "1" }, new { listid = "3" } } });

        using var lists = await sim.Client.GetAsync("api/3/contacts/1/contactLists");
        using var unknown = await sim.Client.GetAsync("api/3/contacts/99/contactLists");
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };
        using var withoutKey = await anonymous.GetAsync("api/3/contacts/1/contactLists");

        var items = (await TestSimulator.ReadJsonAsync(lists))["contactLists"]!.AsArray();
        Assert.Equal(new[] { "1", "3" }, items.Select(item => Text(item!, "list")).Order());
        Assert.All(items, item => Assert.Equal("1", Text(item!, "contact")));
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal(403, (int)withoutKey.StatusCode);
    }

    [Fact]
    public async Task PeopleRoutes_AnswerNotFoundForAnUnknownContactOrList_AndBadRequestWithoutAList()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));

        using var unknownContact = await sim.Client.PostAsync("_sim/people/nobody%40example.com/unsubscribe?list=1", null);
        using var unknownList = await sim.Client.PostAsync("_sim/people/ann%40example.com/unsubscribe?list=404", null);
        using var noList = await sim.Client.PostAsync("_sim/people/ann%40example.com/resubscribe", null);
        using var badBy = await sim.Client.PostAsync("_sim/people/ann%40example.com/unsubscribe?list=1&by=robot", null);

        Assert.Equal((404, 404, 400, 400), ((int)unknownContact.StatusCode, (int)unknownList.StatusCode, (int)noList.StatusCode, (int)badBy.StatusCode));
        Assert.Equal(1, sim.SingleContact("1").Status);
    }

    [Fact]
    public async Task DeleteInTheApp_RemovesTheContactEverywhere()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(new { email = "ann@example.com", subscribe = new[] { new { listid = "1" }, new { listid = "2" } } });

        using var deleted = await sim.Client.DeleteAsync("_sim/people/ann%40example.com");
        using var again = await sim.Client.DeleteAsync("_sim/people/ann%40example.com");
        using var lookup = await sim.Client.GetAsync("api/3/contacts?email=ann%40example.com");
        using var lists = await sim.Client.GetAsync("api/3/contacts/1/contactLists");

        Assert.Equal((204, 404, 404), ((int)deleted.StatusCode, (int)again.StatusCode, (int)lists.StatusCode));
        Assert.Empty((await TestSimulator.ReadJsonAsync(lookup))["contacts"]!.AsArray());
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Empty(sim.State.GetListContacts("2"));
    }

    [Fact]
    public async Task EditingTheEmailInTheApp_MovesTheLookupToTheNewAddress_AndAnAddressAnotherContactHasIsRefused()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"), TestSimulator.Contact("bob@example.com"));

        using var changed = await sim.PutJsonAsync("_sim/people/ann%40example.com/email", new { email = "ann.new@example.com" });
        using var taken = await sim.PutJsonAsync("_sim/people/ann.new%40example.com/email", new { email = "BOB@example.com" });
        using var invalid = await sim.PutJsonAsync("_sim/people/ann.new%40example.com/email", new { email = "not an email" });
        using var oldLookup = await sim.Client.GetAsync("api/3/contacts?email=ann%40example.com");
        using var newLookup = await sim.Client.GetAsync("api/3/contacts?email=ann.new%40example.com");

        Assert.Equal((204, 409, 400), ((int)changed.StatusCode, (int)taken.StatusCode, (int)invalid.StatusCode));
        Assert.Empty((await TestSimulator.ReadJsonAsync(oldLookup))["contacts"]!.AsArray());
        Assert.Equal("1", Text((await TestSimulator.ReadJsonAsync(newLookup))["contacts"]![0]!, "id"));
        Assert.Equal(new[] { "ann.new@example.com", "bob@example.com" }, sim.State.GetListContacts("1").Select(c => c.Email));
    }

    /// <summary>The contact's status on one list, from <c>GET /api/3/contacts/{id}/contactLists</c>.</summary>
    internal static async Task<JsonNode> ListStatusAsync(TestSimulator sim, string contactId, string listId)
    {
        using var response = await sim.Client.GetAsync($"api/3/contacts/{contactId}/contactLists");
        Assert.Equal(200, (int)response.StatusCode);
        var items = (await TestSimulator.ReadJsonAsync(response))["contactLists"]!.AsArray();
        return Assert.Single(items, item => Text(item!, "list") == listId)!;
    }

    internal static string? Text(JsonNode node, string name) => node[name]?.GetValue<string>();
}
