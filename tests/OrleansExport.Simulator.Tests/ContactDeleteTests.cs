namespace OrleansExport.Simulator.Tests;

/// <summary><c>GET /api/3/contacts?email=</c> and <c>DELETE /api/3/contacts/{id}</c>, as ActiveCampaign answers them.</summary>
public sealed class ContactDeleteTests
{
    [Fact]
    public async Task LookupByEmail_FindsTheContactInAnyCase_AndAnUnknownEmailListsNone()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));

        using var found = await sim.Client.GetAsync("api/3/contacts?email=ANN%40example.com");
        using var unknown = await sim.Client.GetAsync("api/3/contacts?email=bob%40example.com");

        var foundJson = await TestSimulator.ReadJsonAsync(found);
        var contact = Assert.Single(foundJson["contacts"]!.AsArray())!;
        Assert.Equal(200, (int)found.StatusCode);
        Assert.Equal(("1", "ann@example.com", "1"), (contact["id"]!.GetValue<string>(), contact["email"]!.GetValue<string>(), foundJson["meta"]!["total"]!.GetValue<string>()));
        Assert.Empty((await TestSimulator.ReadJsonAsync(unknown))["contacts"]!.AsArray());
    }

    [Fact]
    public async Task Delete_RemovesTheContactFromEveryListAndTheLookup_ASecondDeleteAnswers404_AndTheEmailCanComeBackAsANewContact()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(new { email = "ann@example.com", subscribe = new[] { new { listid = "1" }, new { listid = "2" } } });

        using var deleted = await sim.Client.DeleteAsync("api/3/contacts/1");
        using var again = await sim.Client.DeleteAsync("api/3/contacts/1");
        using var lookup = await sim.Client.GetAsync("api/3/contacts?email=ann%40example.com");
        using var listStatus = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "1", contact = "1", status = 1 } });

        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal("{}", await deleted.Content.ReadAsStringAsync());
        Assert.Equal(404, (int)again.StatusCode);
        Assert.Equal("No Result found for Subscriber with id 1", (await TestSimulator.ReadJsonAsync(again))["message"]!.GetValue<string>());
        Assert.Empty((await TestSimulator.ReadJsonAsync(lookup))["contacts"]!.AsArray());
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Empty(sim.State.GetListContacts("2"));
        Assert.Equal(404, (int)listStatus.StatusCode);
        Assert.Equal(1, sim.State.GetStats().ContactsDeleted);

        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        Assert.Equal("2", sim.SingleContact("1").Id);
    }

    [Theory]
    [InlineData("999")]
    [InlineData("abc")]
    [InlineData("0")]
    public async Task Delete_OfAnUnknownId_Answers404(string id)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.Client.DeleteAsync($"api/3/contacts/{id}");

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task DeleteAndLookup_NeedAValidKey()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        using var anonymous = new HttpClient { BaseAddress = sim.Simulator.BaseAddress };

        using var delete = await anonymous.DeleteAsync("api/3/contacts/1");
        using var lookup = await anonymous.GetAsync("api/3/contacts?email=ann%40example.com");

        Assert.Equal((403, 403), ((int)delete.StatusCode, (int)lookup.StatusCode));
        Assert.Single(sim.State.GetListContacts("1"));
    }
}
