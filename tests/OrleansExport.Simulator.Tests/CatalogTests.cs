namespace OrleansExport.Simulator.Tests;

/// <summary>Lists, fields and tags: paged as ActiveCampaign pages them, tags searched and created as it does.</summary>
public sealed class CatalogTests
{
    [Fact]
    public async Task Lists_ArePaged_TwentyByDefault_AtMostAHundred_WithTheTotalInMeta()
    {
        await using var sim = await TestSimulator.StartAsync(options => options.ListIds = []);
        for (var i = 1; i <= 250; i++)
        {
            sim.State.AddList($"{i}", $"Newsletter {i}");
        }

        var first = await GetAsync(sim, "api/3/lists");
        var big = await GetAsync(sim, "api/3/lists?limit=1000&offset=200");

        Assert.Equal(20, first["lists"]!.AsArray().Count);
        Assert.Equal("250", first["meta"]!["total"]!.GetValue<string>());
        Assert.Equal(("1", "Newsletter 1", "list-1"), Item(first["lists"]![0]!, "id", "name", "stringid"));
        Assert.Equal(50, big["lists"]!.AsArray().Count);
        Assert.Equal("201", big["lists"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(100, (await GetAsync(sim, "api/3/lists?limit=1000"))["lists"]!.AsArray().Count);
    }

    [Fact]
    public async Task Fields_ArePagedWithTitleTypeAndPerstag()
    {
        await using var sim = await TestSimulator.StartAsync();
        for (var i = 1; i <= 120; i++)
        {
            sim.State.AddField($"Field {i}", i % 2 == 0 ? "dropdown" : "text");
        }

        var last = await GetAsync(sim, "api/3/fields?limit=100&offset=100");

        Assert.Equal(20, last["fields"]!.AsArray().Count);
        Assert.Equal("120", last["meta"]!["total"]!.GetValue<string>());
        Assert.Equal(("101", "Field 101", "text"), Item(last["fields"]![0]!, "id", "title", "type"));
        Assert.Equal("FIELD_101", last["fields"]![0]!["perstag"]!.GetValue<string>());
    }

    [Fact]
    public async Task TagSearch_IsAContainsMatchInAnyCase()
    {
        await using var sim = await TestSimulator.StartAsync();
        sim.State.AddTag("VIP");
        sim.State.AddTag("vip-gold");
        sim.State.AddTag("newsletter");

        var found = await GetAsync(sim, "api/3/tags?search=vip");

        Assert.Equal(["VIP", "vip-gold"], found["tags"]!.AsArray().Select(t => t!["tag"]!.GetValue<string>()));
        Assert.Equal("2", found["meta"]!["total"]!.GetValue<string>());
        Assert.Equal("3", (await GetAsync(sim, "api/3/tags"))["meta"]!["total"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreatingATag_Answers201_AndAnExistingNameInAnyCase_FailsWithDuplicateEntry()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var created = await sim.PostJsonAsync("api/3/tags", new { tag = new { tag = "from-ci", tagType = "contact", description = "" } });
        using var again = await sim.PostJsonAsync("api/3/tags", new { tag = new { tag = "FROM-CI", tagType = "contact", description = "" } });

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal("1", (await TestSimulator.ReadJsonAsync(created))["tag"]!["id"]!.GetValue<string>());
        Assert.Equal(422, (int)again.StatusCode);
        var title = (await TestSimulator.ReadJsonAsync(again))["errors"]![0]!["title"]!.GetValue<string>();
        Assert.Contains("Duplicate entry", title);
        Assert.Contains("for key 'typetag'", title);
    }

    [Fact]
    public async Task ContactTags_AttachATagOnce_AndTheListShowsIt_UnknownIds404()
    {
        await using var sim = await TestSimulator.StartAsync();
        using var synced = await sim.PostJsonAsync("api/3/contact/sync", new { contact = new { email = "ann@example.com" } });
        var contactId = (await TestSimulator.ReadJsonAsync(synced))["contact"]!["id"]!.GetValue<string>();
        await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "1", contact = contactId, status = 1 } });
        var tagId = sim.State.AddTag("from-ci").Id;

        using var attached = await sim.PostJsonAsync("api/3/contactTags", new { contactTag = new { contact = contactId, tag = tagId } });
        using var twice = await sim.PostJsonAsync("api/3/contactTags", new { contactTag = new { contact = contactId, tag = tagId } });
        using var unknownTag = await sim.PostJsonAsync("api/3/contactTags", new { contactTag = new { contact = contactId, tag = "999" } });
        using var unknownContact = await sim.PostJsonAsync("api/3/contactTags", new { contactTag = new { contact = "999", tag = tagId } });

        Assert.Equal((201, 200, 404, 404), ((int)attached.StatusCode, (int)twice.StatusCode, (int)unknownTag.StatusCode, (int)unknownContact.StatusCode));
        Assert.Equal("No Result found for Tag with id 999", (await TestSimulator.ReadJsonAsync(unknownTag))["message"]!.GetValue<string>());
        Assert.Equal(["from-ci"], sim.SingleContact("1").Tags);
    }

    [Fact]
    public async Task BulkImportTags_UseAnExistingTagOfAnyCase_AndCreateMissingOnes()
    {
        await using var sim = await TestSimulator.StartAsync();
        sim.State.AddTag("VIP");

        await sim.ImportAsync(new { email = "ann@example.com", tags = new[] { "vip", "new-tag" }, subscribe = new[] { new { listid = "1" } } });

        Assert.Equal(["VIP", "new-tag"], sim.SingleContact("1").Tags);
        Assert.Equal(["VIP", "new-tag"], (await GetAsync(sim, "api/3/tags"))["tags"]!.AsArray().Select(t => t!["tag"]!.GetValue<string>()));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> GetAsync(TestSimulator sim, string path)
    {
        using var response = await sim.Client.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        return await TestSimulator.ReadJsonAsync(response);
    }

    private static (string, string, string) Item(System.Text.Json.Nodes.JsonNode item, string a, string b, string c) =>
        (item[a]!.GetValue<string>(), item[b]!.GetValue<string>(), item[c]!.GetValue<string>());
}
