using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>
/// Answers to the listening calls that are not of the documented shape are errors, never verdicts: a broken page must not
/// read as "these contacts are gone", a broken status must not read as "subscribed".
/// </summary>
public sealed class ListeningAnswerShapeTests : IAsyncLifetime
{
    private const string ApiKey = "k3y-5ecret-0123456789abcdef";

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private FakeActiveCampaignServer server = null!;
    private ServiceProvider services = null!;

    private ActiveCampaignAccount Account => new(server.Hostname, ApiKey);

    private IActiveCampaignClient Client => services.GetRequiredService<IActiveCampaignClient>();

    public async Task InitializeAsync()
    {
        server = await FakeActiveCampaignServer.StartAsync();
        services = TestClients.Build(pacer, logs, resolver: null);
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await server.DisposeAsync();
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"contactLists":{}}""")]
    [InlineData("""{"contactLists":[{"list":"1","status":"9","sourceid":"0"}]}""")]
    [InlineData("""{"contactLists":[{"list":"1","sourceid":"0"}]}""")]
    [InlineData("""{"contactLists":[{"list":"1","status":"active"}]}""")]
    public async Task ListStatus_OfAnotherShape_Throws(string json)
    {
        server.Respond(200, json);

        var failure = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.GetListStatusAsync(Account, "5", "1", CancellationToken.None));

        Assert.DoesNotContain(ApiKey, failure.ToString());
        Assert.Equal("/api/3/contacts/5/contactLists", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task ListStatus_WithoutASourceId_IsNotOurApis()
    {
        server.Respond(200, """{"contactLists":[{"list":"2","status":"1","sourceid":"0"},{"list":"1","status":2,"campaign":null}]}""");

        var status = await Client.GetListStatusAsync(Account, "5", "1", CancellationToken.None);

        Assert.Equal(new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, SetThroughApi: false, null, null), status);
    }

    [Fact]
    public async Task ListStatus_A404ThatIsNotJson_IsAnError_NotNoSuchContact()
    {
        server.Respond(404, "<html>Not Found</html>", contentType: "text/html");

        await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.GetListStatusAsync(Account, "5", "1", CancellationToken.None));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"contacts":[{"id":"1","email":"a@example.com"}]}""")]
    [InlineData("""{"contacts":[{"id":"1"}],"meta":{"total":"1"}}""")]
    [InlineData("""{"contacts":[{"email":"a@example.com"}],"meta":{"total":"1"}}""")]
    public async Task ListContactsPage_OfAnotherShape_Throws_WithoutQuotingIt(string json)
    {
        server.Respond(200, json);

        var failure = await Assert.ThrowsAsync<ActiveCampaignException>(() =>
            Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Active, 100, CancellationToken.None));

        Assert.DoesNotContain("a@example.com", failure.Message);
        Assert.Equal("/api/3/contacts?listid=1&status=1&limit=100&offset=100", Assert.Single(server.Requests).PathAndQuery);
    }

    [Fact]
    public async Task FindContactId_NeedsNoTotal()
    {
        server.Respond(200, """{"contacts":[{"id":"9","email":"ann@example.com"}]}""");

        Assert.Equal("9", await Client.FindContactIdAsync(Account, "ann@example.com", CancellationToken.None));
    }

    [Fact]
    public async Task FindContactId_OfAnAnswerWithoutContacts_Throws_RatherThanSayingNone()
    {
        server.Respond(200, "{}");

        var failure = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.FindContactIdAsync(Account, "ann@example.com", CancellationToken.None));

        Assert.DoesNotContain("ann@example.com", failure.Message);
    }

    [Fact]
    public async Task CreateWebhook_WithoutAnId_Throws_AndAnEchoedUrlIsRedacted()
    {
        const string url = "https://hooks.example.com/api/activecampaign/webhooks/s3cret-0123456789abcdef0123456789abcdef";
        server.Respond(201, "{}").Respond(422, $$"""{"errors":[{"title":"Cannot reach {{url}}"}]}""");
        var registration = new WebhookRegistration("x", url, ["unsubscribe"], ["public"], "1");

        var noId = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.CreateWebhookAsync(Account, registration, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.CreateWebhookAsync(Account, registration, CancellationToken.None));

        Assert.Contains("Cannot reach ****", refused.Message);
        Assert.All(new[] { noId, refused }, failure => Assert.DoesNotContain("s3cret", failure.ToString()));
        Assert.Equal("""{"webhook":{"name":"x","url":"https://hooks.example.com/api/activecampaign/webhooks/s3cret-0123456789abcdef0123456789abcdef","events":["unsubscribe"],"sources":["public"],"listid":"1"}}""",
            server.Requests[0].Body);
    }

    [Fact]
    public async Task DeleteWebhook_A404ThatIsNotJson_IsAnError()
    {
        server.Respond(404, "not found", contentType: "text/plain");

        await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.DeleteWebhookAsync(Account, "3", CancellationToken.None));
    }
}
