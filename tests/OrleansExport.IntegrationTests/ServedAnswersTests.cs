using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>What every answer carries (no sniffing, no framing) and what <c>/metrics</c> leaves out (host names).</summary>
[Collection(SiloCollection.Name)]
public sealed class ServedAnswersTests(SiloFixture fixture)
{
    [Theory]
    [InlineData("/", null)]
    [InlineData("/js/app.js", null)]
    [InlineData("/docs/", null)]
    [InlineData("/dashboard", null)]
    [InlineData("/dashboard", SiloFixture.ViewerKey)]
    [InlineData("/openapi/v1.json", null)]
    [InlineData("/metrics", null)]
    [InlineData("/health/live", null)]
    [InlineData("/api/exports", null)]
    [InlineData("/api/exports", SiloFixture.AdminKey)]
    [InlineData("/api/deadletters", SiloFixture.ContributorKey)]
    [InlineData("/api/exports/exp-none", SiloFixture.AdminKey)]
    [InlineData("/no-such-page", null)]
    public async Task EveryAnswer_ForbidsSniffingAndFraming_AndSendsNoHstsOverPlainHttp(string path, string? key)
    {
        using var response = await fixture.Client(key).GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), $"{path} sent HSTS over plain HTTP");
    }

    [Fact]
    public async Task Metrics_CarryNoHostNamesOrAddresses_ButStillTheHttpClientCounts()
    {
        // Verifying the key calls the simulator: the HttpClient and DNS meters see the account's host.
        await Api.CreateConnectionAsync(fixture);
        var simulatorPort = fixture.Simulator.Hostname.Split(':')[1];
        string text = "";
        await Api.EventuallyAsync(async () =>
        {
            text = await (await fixture.Client(apiKey: null).GetAsync("/metrics")).Content.ReadAsStringAsync();
            return text.Contains("http_client_request_duration_seconds_count{", StringComparison.Ordinal);
        }, "the HttpClient's request metric on /metrics");

        foreach (var label in new[] { "server_address", "server_port", "network_peer_address", "network_peer_port", "dns_question_name", "client_address", "url_full" })
        {
            Assert.DoesNotContain(label + "=", text);
        }

        Assert.DoesNotContain("127.0.0.1", text);
        Assert.DoesNotContain("localhost", text);
        Assert.DoesNotContain(simulatorPort, text);
        Assert.Contains(new PrometheusText(text).MetricNames(), name => name.StartsWith("http_client_request_duration", StringComparison.Ordinal));
        Assert.Contains("http_request_method=\"GET\"", text);
    }

    private static string Header(HttpResponseMessage response, string name)
    {
        Assert.True(response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values),
            $"{response.RequestMessage!.RequestUri} answered {(int)response.StatusCode} without {name}");
        return string.Join(",", values);
    }
}

/// <summary><c>listId</c> and <c>schedule</c> on POST and PATCH of exports: digits only, and runs an hour apart at least.</summary>
[Collection(SiloCollection.Name)]
public sealed class ExportInputTests(SiloFixture fixture)
{
    [Theory]
    [InlineData("1 OR 1=1")]
    [InlineData("../lists/1")]
    [InlineData("1?limit=100")]
    [InlineData("-1")]
    public async Task AListIdThatIsNotDigits_Is400_OnPostAndPatch(string listId)
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var created = await fixture.Client().PostJsonAsync("/api/exports", Api.ExportBody(connection, "seg-list-ids", listId));
        await AssertFieldAsync(created, "listId", "digits only");

        var export = await Api.CreateExportAsync(fixture, connection, "seg-list-ids", firstRun: false);
        await AssertFieldAsync(await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { listId }), "listId", "digits only");
        Assert.Equal("1", (await Api.GetExportAsync(fixture, export)).GetProperty("listId").GetString());
    }

    [Fact]
    public async Task AScheduleWithRunsCloserThanAnHour_Is400_OnPostAndPatch()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = JsonSerializer.SerializeToNode(Api.ExportBody(connection, "seg-schedules"), SiloFixture.Json)!;
        body["schedule"] = "*/10 * * * *";
        await AssertFieldAsync(await fixture.Client().PostJsonAsync("/api/exports", body), "schedule", "Export:MinScheduleInterval");

        var export = await Api.CreateExportAsync(fixture, connection, "seg-schedules", firstRun: false);
        await AssertFieldAsync(await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { schedule = "0,30 * * * *" }), "schedule", "0:30:00 apart");
        var hourly = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { schedule = "0 * * * *" });
        Assert.Equal(HttpStatusCode.OK, hourly.StatusCode);
        Assert.Equal("0 * * * *", (await hourly.ReadAsync<JsonElement>()).GetProperty("schedule").GetString());
    }

    private static async Task AssertFieldAsync(HttpResponseMessage response, string field, string detailContains)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }
}
