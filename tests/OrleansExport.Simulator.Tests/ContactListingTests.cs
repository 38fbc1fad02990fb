using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

/// <summary><c>GET /api/3/contacts</c> by list and status, paged, and <c>PUT /api/3/contacts/{id}</c>.</summary>
public sealed class ContactListingTests
{
    [Fact]
    public async Task ContactsOfAListByStatus_ArePagedByIdAtMost100APage_WithTheTotalInMeta()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contacts(250));
        foreach (var i in new[] { 3, 150, 249 })
        {
            sim.State.Unsubscribe($"c{i}@example.com", "1");
        }

        var pages = new List<(int Count, string Total)>();
        var ids = new List<int>();
        for (var offset = 0; offset < 300; offset += 100)
        {
            using var response = await sim.Client.GetAsync($"api/3/contacts?listid=1&status=1&limit=100&offset={offset}");
            var json = await TestSimulator.ReadJsonAsync(response);
            var contacts = json["contacts"]!.AsArray();
            pages.Add((contacts.Count, json["meta"]!["total"]!.GetValue<string>()));
            ids.AddRange(contacts.Select(c => int.Parse(c!["id"]!.GetValue<string>())));
        }

        using var unsubscribed = await sim.Client.GetAsync("api/3/contacts?listid=1&status=2");
        using var any = await sim.Client.GetAsync("api/3/contacts?listid=1&status=-1&limit=1000");
        using var otherList = await sim.Client.GetAsync("api/3/contacts?listid=2&status=1");
        var unsubscribedJson = await TestSimulator.ReadJsonAsync(unsubscribed);
        var anyJson = await TestSimulator.ReadJsonAsync(any);

        Assert.Equal(new[] { (100, "247"), (100, "247"), (47, "247") }, pages);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(247, ids.Distinct().Count());
        Assert.Equal(new[] { "c3@example.com", "c150@example.com", "c249@example.com" },
            unsubscribedJson["contacts"]!.AsArray().Select(c => c!["email"]!.GetValue<string>()));
        Assert.Equal((100, "250"), (anyJson["contacts"]!.AsArray().Count, anyJson["meta"]!["total"]!.GetValue<string>()));
        Assert.Empty((await TestSimulator.ReadJsonAsync(otherList))["contacts"]!.AsArray());
    }

    [Fact]
    public async Task AChangeBetweenPages_IsSeenOnTheNextPage()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contacts(3));

        using var before = await sim.Client.GetAsync("api/3/contacts?listid=1&status=1&limit=2");
        sim.State.Bounce("c0@example.com", "1");
        using var after = await sim.Client.GetAsync("api/3/contacts?listid=1&status=1&limit=2");

        Assert.Equal("3", (await TestSimulator.ReadJsonAsync(before))["meta"]!["total"]!.GetValue<string>());
        Assert.Equal("2", (await TestSimulator.ReadJsonAsync(after))["meta"]!["total"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdatedAfter_ListsOnlyContactsWhoseListStatusOrDataChangedAfterIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        await using var sim = await TestSimulator.StartAsync(time: time);
        await sim.ImportAsync(TestSimulator.Contacts(4));
        sim.State.Bounce("c0@example.com", "1");
        sim.State.Unsubscribe("c1@example.com", "1");
        var mark = time.GetUtcNow();
        time.Advance(TimeSpan.FromMinutes(5));
        sim.State.Bounce("c2@example.com", "1");
        sim.State.Unsubscribe("c3@example.com", "1");
        await sim.ImportAsync(new { email = "c1@example.com", first_name = "Changed", subscribe = new[] { new { listid = "1" } } });

        var since = mark.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        async Task<string[]> EmailsAsync(string query)
        {
            using var response = await sim.Client.GetAsync("api/3/contacts?" + query);
            Assert.Equal(200, (int)response.StatusCode);
            return [.. (await TestSimulator.ReadJsonAsync(response))["contacts"]!.AsArray().Select(c => c!["email"]!.GetValue<string>())];
        }

        Assert.Equal(new[] { "c2@example.com" }, await EmailsAsync($"listid=1&status=3&updated_after={since}"));
        Assert.Equal(new[] { "c0@example.com", "c2@example.com" }, await EmailsAsync("listid=1&status=3"));
        // c1's unsubscribe is older, but its data changed since: it is listed, as "updated" means the contact.
        Assert.Equal(new[] { "c1@example.com", "c3@example.com" }, await EmailsAsync($"listid=1&status=2&updated_after={since}"));
        Assert.Empty(await EmailsAsync($"listid=1&status=2&updated_after={Uri.EscapeDataString(time.GetUtcNow().ToOffset(TimeSpan.FromHours(-5)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))}"));
        Assert.Equal(new[] { "c0@example.com", "c2@example.com" }, await EmailsAsync("listid=1&status=3&updated_after=2026-12-01T07:59:00Z"));
        using var bad = await sim.Client.GetAsync("api/3/contacts?listid=1&status=3&updated_after=yesterday");
        using var unescapedPlus = await sim.Client.GetAsync("api/3/contacts?listid=1&status=3&updated_after=2026-12-01T08:00:00+00:00");
        Assert.Equal((400, 400), ((int)bad.StatusCode, (int)unescapedPlus.StatusCode));
    }

    [Fact]
    public async Task EmailAndList_Combine_AndABadStatusAnswers400()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));

        using var onList = await sim.Client.GetAsync("api/3/contacts?email=ANN%40example.com&listid=1&status=1");
        using var notOnList = await sim.Client.GetAsync("api/3/contacts?email=ann%40example.com&listid=2");
        using var badStatus = await sim.Client.GetAsync("api/3/contacts?listid=1&status=7");

        Assert.Single((await TestSimulator.ReadJsonAsync(onList))["contacts"]!.AsArray());
        Assert.Empty((await TestSimulator.ReadJsonAsync(notOnList))["contacts"]!.AsArray());
        Assert.Equal(400, (int)badStatus.StatusCode);
    }

    [Fact]
    public async Task UpdateContact_ChangesTheEmail_422WhenAnotherContactHasIt_404ForAnUnknownContact()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"), TestSimulator.Contact("bob@example.com"));

        using var changed = await sim.PutJsonAsync("api/3/contacts/1", new { contact = new { email = "ann.new@example.com", firstName = "Ann" } });
        using var taken = await sim.PutJsonAsync("api/3/contacts/1", new { contact = new { email = "bob@example.com" } });
        using var invalid = await sim.PutJsonAsync("api/3/contacts/1", new { contact = new { email = "nope" } });
        using var unknown = await sim.PutJsonAsync("api/3/contacts/99", new { contact = new { email = "x@example.com" } });

        var body = (await TestSimulator.ReadJsonAsync(changed))["contact"]!;
        Assert.Equal(200, (int)changed.StatusCode);
        Assert.Equal(("1", "ann.new@example.com", "Ann"), (body["id"]!.GetValue<string>(), body["email"]!.GetValue<string>(), body["firstName"]!.GetValue<string>()));
        Assert.Equal((422, 422, 404), ((int)taken.StatusCode, (int)invalid.StatusCode, (int)unknown.StatusCode));
        Assert.Contains("already exists", (await taken.Content.ReadAsStringAsync()));
        Assert.Equal(new[] { "ann.new@example.com", "bob@example.com" }, sim.State.GetListContacts("1").Select(c => c.Email));
    }

    [Fact]
    public async Task TheNewRoutes_CountAgainstTheAccountsRequestsPerSecond()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.RequestsPerSecond = 4, time);
        sim.State.AddList("9");

        using var contactLists = await sim.Client.GetAsync("api/3/contacts/1/contactLists");
        using var listing = await sim.Client.GetAsync("api/3/contacts?listid=9&status=1");
        using var webhooks = await sim.Client.GetAsync("api/3/webhooks");
        using var update = await sim.PutJsonAsync("api/3/contacts/1", new { contact = new { email = "x@example.com" } });
        using var fifth = await sim.Client.GetAsync("api/3/webhooks/1");

        Assert.Equal((404, 200, 200, 404), ((int)contactLists.StatusCode, (int)listing.StatusCode, (int)webhooks.StatusCode, (int)update.StatusCode));
        Assert.Equal(429, (int)fifth.StatusCode);
    }
}
