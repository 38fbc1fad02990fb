using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>The 400/401/403/404/409/413/422 answers of docs/api.md section 2, through real HTTP.</summary>
[Collection(SiloCollection.Name)]
public sealed class ApiContractTests(SiloFixture fixture)
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains, string? field = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task NoKey_Is401WithProblemJson()
    {
        var response = await fixture.Client(apiKey: null).GetAsync("/api/connections");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownKey_Is401()
    {
        var response = await fixture.Client("not-a-configured-key-at-all").GetAsync("/api/exports");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(SiloFixture.ContributorKey)]
    [InlineData(SiloFixture.ViewerKey)]
    public async Task OnlyAdminsCreateConnections(string key)
    {
        var response = await fixture.Client(key).PostJsonAsync("/api/connections", Api.ConnectionBody(fixture));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ViewerCannotPostEvents()
    {
        var response = await fixture.Client(SiloFixture.ViewerKey).PostJsonAsync("/api/events", Array.Empty<object>());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("https://acme.api-us1.com", "without https://")]
    [InlineData("acme.api-us1.com/path", "host name only")]
    [InlineData("evil.example.com", "api-us1.com")]
    [InlineData("", "host name of your ActiveCampaign account")]
    public async Task BadHostname_Is400NamingTheField(string hostname, string detail)
    {
        var body = new { displayName = "x", hostname, apiKey = "k", allowContributors = false, dataPrivacyConsent = true };

        var response = await fixture.Client().PostJsonAsync("/api/connections", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail, "hostname");
    }

    [Fact]
    public async Task MissingConsent_Is400()
    {
        var response = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, consent: false));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "privacy", "dataPrivacyConsent");
    }

    [Fact]
    public async Task KeyRefusedByActiveCampaign_Is422AndNothingIsSaved()
    {
        var before = (await (await fixture.Client().GetAsync("/api/connections")).ReadAsync<JsonElement>()).GetArrayLength();

        var response = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: "wrong-key-123456"));

        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "refused the API key", "apiKey");
        var after = (await (await fixture.Client().GetAsync("/api/connections")).ReadAsync<JsonElement>()).GetArrayLength();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task MalformedJson_Is400WithDetail()
    {
        var content = new StringContent("{\"displayName\": ", Encoding.UTF8, "application/json");

        var response = await fixture.Client().PostAsync("/api/connections", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "not valid JSON");
    }

    [Fact]
    public async Task Connection_IsCreatedWithTheCallerAsExportUserAndNeverShowsTheKey()
    {
        var response = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadAsync<JsonElement>();
        var id = created.GetProperty("id").GetString();

        var fetched = await (await fixture.Client(SiloFixture.ViewerKey).GetAsync($"/api/connections/{id}")).Content.ReadAsStringAsync();

        Assert.Equal("alice", created.GetProperty("exportUsers")[0].GetString());
        Assert.StartsWith("****", created.GetProperty("apiKeyHint").GetString());
        Assert.DoesNotContain(SiloFixture.SimulatorApiKey, created.GetRawText());
        Assert.DoesNotContain(SiloFixture.SimulatorApiKey, fetched);
    }

    [Fact]
    public async Task ContributorsSeeOnlyConnectionsThatAllowThem()
    {
        var adminOnly = await Api.CreateConnectionAsync(fixture, allowContributors: false);
        var shared = await Api.CreateConnectionAsync(fixture, allowContributors: true);

        var seen = await (await fixture.Client(SiloFixture.ContributorKey).GetAsync("/api/connections")).ReadAsync<JsonElement>();
        var ids = seen.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();

        Assert.Contains(shared, ids);
        Assert.DoesNotContain(adminOnly, ids);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client(SiloFixture.ContributorKey).GetAsync($"/api/connections/{adminOnly}")).StatusCode);
    }

    [Fact]
    public async Task ContributorCannotExportThroughAnAdminOnlyConnection()
    {
        var adminOnly = await Api.CreateConnectionAsync(fixture, allowContributors: false);
        var shared = await Api.CreateConnectionAsync(fixture, allowContributors: true);
        var contributor = fixture.Client(SiloFixture.ContributorKey);

        var refused = await contributor.PostJsonAsync("/api/exports", Api.ExportBody(adminOnly, "seg-contrib"));
        // A list of its own: list 1 of the account is used by admin-only exports, which a Contributor may not join.
        var allowed = await contributor.PostJsonAsync("/api/exports", Api.ExportBody(shared, "seg-contrib", fixture.Simulator.State.NewList("l-contrib")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task ExportWithoutEmailMapping_Is400()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = new { displayName = "x", connectionId = connection, listId = "1", segmentIds = new[] { "s" }, mapping = new { firstName = "FirstName" } };

        var response = await fixture.Client().PostJsonAsync("/api/exports", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "mapping.email", "mapping.email");
    }

    [Fact]
    public async Task ExportToAListActiveCampaignDoesNotHave_Is422()
    {
        var connection = await Api.CreateConnectionAsync(fixture);

        var response = await fixture.Client().PostJsonAsync("/api/exports", Api.ExportBody(connection, "s", listId: "999"));

        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "999", "listId");
    }

    [Fact]
    public async Task ExportWithAnInvalidSchedule_Is400()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = Api.ExportBody(connection, "s");
        var json = JsonSerializer.SerializeToNode(body, SiloFixture.Json)!;
        json["schedule"] = "every tuesday";

        var response = await fixture.Client().PostAsJsonAsync("/api/exports", json);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "cron", "schedule");
    }

    [Fact]
    public async Task UnknownExport_Is404()
    {
        var response = await fixture.Client().GetAsync("/api/exports/exp-nope");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "exp-nope");
    }

    [Fact]
    public async Task SecondRunWhileOneRuns_Is409()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, "seg-409");
        var start = DateTimeOffset.UtcNow;
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 3000).Select(i => Api.Joined("seg-409", $"p{i}", $"r409-{i}@example.com", start)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64() == 3000, "3000 members");

        var first = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        var second = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "still running");
    }

    [Fact]
    public async Task EventsThatAreNotAnArray_Are400()
    {
        var response = await fixture.Client().PostJsonAsync("/api/events", new { eventId = "x" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "JSON array");
    }

    [Fact]
    public async Task MalformedEvents_AreRejectedOneByOneAndTheRestAccepted()
    {
        var body = """
            [
              {"eventId":"ok-1","segmentId":"s-mixed","profileId":"p1","type":"joined","occurredAt":"2026-11-28T21:00:00Z","attributes":{"EmailAddress":"a@example.com"}},
              {"eventId":"bad-1","segmentId":"s-mixed","profileId":"p2","type":"exploded","occurredAt":"2026-11-28T21:00:00Z"},
              42,
              {"eventId":"bad-3","segmentId":"s-mixed","profileId":"p3","type":"joined","occurredAt":"yesterday","attributes":{}},
              {"eventId":"bad-4","segmentId":"s-mixed","type":"joined","occurredAt":"2026-11-28T21:00:00Z","attributes":{}}
            ]
            """;

        var response = await fixture.Client().PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("accepted").GetInt32());
        var rejected = result.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("reason").GetString()!);
        Assert.Equal([1, 2, 3, 4], rejected.Keys.Order());
        Assert.Contains("type", rejected[1]);
        Assert.Contains("object", rejected[2]);
        Assert.Contains("occurredAt", rejected[3]);
        Assert.Contains("profileId", rejected[4]);
    }

    [Fact]
    public async Task EventsBodyOverTheLimit_Is413()
    {
        var big = new string('x', SiloFixture.MaxIngestBytes + 10);
        var content = new StringContent($"[\"{big}\"]", Encoding.UTF8, "application/json");

        var response = await fixture.Client().PostAsync("/api/events", content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Ingest:MaxRequestBytes");
    }

    [Fact]
    public async Task HealthEndpointsAnswerWithoutAKey()
    {
        var client = fixture.Client(apiKey: null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
