using System.Text.Json;

namespace OrleansExport.Simulator.Tests;

public sealed class BulkImportValidationTests
{
    [Fact]
    public async Task BadEmails_RejectTheWholeRequest_NamingEveryBadIndex()
    {
        await using var sim = await TestSimulator.StartAsync();
        object[] contacts =
        [
            TestSimulator.Contact("good@example.com"),
            TestSimulator.Contact("not-an-email"),
            new { first_name = "No email" },
            TestSimulator.Contact("also.good@example.com"),
            TestSimulator.Contact("has space@example.com"),
        ];

        using var response = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts });

        var json = await TestSimulator.ReadJsonAsync(response);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(0, json["success"]!.GetValue<int>());
        Assert.StartsWith("JSON payload did not pass validation", json["message"]!.GetValue<string>());
        var reasons = json["failureReasons"]!.AsArray();
        Assert.Equal(new[] { 1, 2, 4 }, reasons.Select(r => r!["contact"]!.GetValue<int>()));
        Assert.All(reasons, r => Assert.False(string.IsNullOrEmpty(r!["failureReason"]!.GetValue<string>())));
        Assert.Empty(sim.State.GetListContacts("1"));
        Assert.Equal(0, sim.State.GetStats().ContactsImported);
    }

    [Fact]
    public async Task MoreContactsThanTheLimit_Answers400_TheLimitItselfIsAccepted()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var tooMany = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(251) });
        using var atLimit = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(250) });

        Assert.Equal(400, (int)tooMany.StatusCode);
        Assert.Contains("250", (await TestSimulator.ReadJsonAsync(tooMany))["message"]!.GetValue<string>());
        Assert.Equal(200, (int)atLimit.StatusCode);
        Assert.Equal(250, (await TestSimulator.ReadJsonAsync(atLimit))["queued_contacts"]!.GetValue<int>());
        Assert.Equal(250, sim.State.GetListContacts("1").Count);
    }

    [Theory]
    [InlineData("""{"contacts":[]}""")]
    [InlineData("""{}""")]
    [InlineData("""{"contacts":""")]
    public async Task EmptyMissingOrMalformedContacts_Answers400(string body)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.PostRawAsync("api/3/import/bulk_import", body);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(0, (await TestSimulator.ReadJsonAsync(response))["success"]!.GetValue<int>());
        Assert.Equal(1, sim.State.GetStats().BadRequests);
    }

    [Fact]
    public async Task BodyOverMaxImportBytes_Answers413_ABodyOfExactlyTheLimitIsAccepted()
    {
        await using var sim = await TestSimulator.StartAsync();
        const int limit = 399_999;

        using var atLimit = await sim.PostRawAsync("api/3/import/bulk_import", BodyOfSize(limit, "fits@example.com"));
        using var overLimit = await sim.PostRawAsync("api/3/import/bulk_import", BodyOfSize(limit + 1, "too-big@example.com"));
        using var overLimitChunked = await sim.Client.PostAsync(
            "api/3/import/bulk_import", new UnknownLengthContent(BodyOfSize(limit + 1, "chunked@example.com"), "application/json"));

        Assert.Equal(200, (int)atLimit.StatusCode);
        Assert.Equal(413, (int)overLimit.StatusCode);
        Assert.Equal(413, (int)overLimitChunked.StatusCode);
        Assert.Equal("fits@example.com", sim.SingleContact("1").Email);
    }

    // One contact whose first name pads the UTF-8 body to exactly `size` bytes.
    private static string BodyOfSize(int size, string email)
    {
        string Body(int padding) => JsonSerializer.Serialize(new
        {
            contacts = new[] { new { email, first_name = new string('x', padding), subscribe = new[] { new { listid = "1" } } } },
        });

        string body = Body(size - Body(0).Length);
        Assert.Equal(size, System.Text.Encoding.UTF8.GetByteCount(body));
        return body;
    }
}
