namespace OrleansExport.Simulator.Tests;

public sealed class ContactApiTests
{
    [Fact]
    public async Task ContactSync_Creates201ThenUpdates200_SameId()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var created = await sim.PostJsonAsync("api/3/contact/sync", new { contact = new { email = "ann@example.com", firstName = "Ann", fieldValues = new[] { new { field = "7", value = "gold" } } } });
        using var updated = await sim.PostJsonAsync("api/3/contact/sync", new { contact = new { email = "ANN@example.com", lastName = "Lee" } });
        var createdContact = (await TestSimulator.ReadJsonAsync(created))["contact"]!;
        var updatedContact = (await TestSimulator.ReadJsonAsync(updated))["contact"]!;
        using var joined = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "2", contact = createdContact["id"]!.GetValue<string>(), status = "1" } });

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal(200, (int)updated.StatusCode);
        Assert.Equal(createdContact["id"]!.GetValue<string>(), updatedContact["id"]!.GetValue<string>());
        Assert.Equal("Lee", updatedContact["lastName"]!.GetValue<string>());
        Assert.Equal(201, (int)joined.StatusCode);
        var ann = sim.SingleContact("2");
        Assert.Equal(("Ann", "Lee", 1, "gold"), (ann.FirstName, ann.LastName, ann.Status, ann.Fields["7"]));
        Assert.Equal(2, sim.State.GetStats().ContactSyncs);
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("")]
    public async Task ContactSync_WithBadEmail_Answers422WithEmailInvalidError(string email)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.PostJsonAsync("api/3/contact/sync", new { contact = new { email } });

        var error = Assert.Single((await TestSimulator.ReadJsonAsync(response))["errors"]!.AsArray())!;
        Assert.Equal(422, (int)response.StatusCode);
        Assert.Equal("Email address is not valid.", error["title"]!.GetValue<string>());
        Assert.Equal("email_invalid", error["code"]!.GetValue<string>());
        Assert.Equal("/data/attributes/email", error["source"]!["pointer"]!.GetValue<string>());
    }

    [Fact]
    public async Task ContactLists_UnknownContactOrList_Answers404_InvalidStatus422()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));

        using var unknownContact = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 1, contact = 999, status = 1 } });
        using var unknownList = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 77, contact = 1, status = 1 } });
        using var badStatus = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 1, contact = 1, status = 5 } });

        Assert.Equal(404, (int)unknownContact.StatusCode);
        Assert.Equal("No Result found for Subscriber with id 999", (await TestSimulator.ReadJsonAsync(unknownContact))["message"]!.GetValue<string>());
        Assert.Equal(404, (int)unknownList.StatusCode);
        Assert.Equal("No Result found for List with id 77", (await TestSimulator.ReadJsonAsync(unknownList))["message"]!.GetValue<string>());
        Assert.Equal(422, (int)badStatus.StatusCode);
        Assert.Equal(1, sim.SingleContact("1").Status);
        Assert.Equal(3, sim.State.GetStats().BadRequests);
    }

    [Fact]
    public async Task ContactLists_Unsubscribe_SetsStatus2()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));

        using var response = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = 1, contact = 1, status = 2 } });

        var body = (await TestSimulator.ReadJsonAsync(response))["contactList"]!;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(("1", "1", 2), (body["contact"]!.GetValue<string>(), body["list"]!.GetValue<string>(), body["status"]!.GetValue<int>()));
        Assert.Equal(2, sim.SingleContact("1").Status);
    }
}
