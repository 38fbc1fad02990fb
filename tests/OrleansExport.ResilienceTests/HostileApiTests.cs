using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.ResilienceTests;

/// <summary>
/// The host with a tight API rate limit, and a stand-in DNS in which two allowed-looking account names
/// point at a private and a link-local address. No real DNS is asked.
/// </summary>
public sealed class HostileFixture : SiloFixture
{
    public const int RequestsPerSecond = 20;
    public const int Burst = 40;

    public static readonly Dictionary<string, IPAddress[]> Dns = new()
    {
        ["evil.api-us1.com"] = [IPAddress.Parse("10.0.0.7")],
        ["meta.activehosted.com"] = [IPAddress.Parse("169.254.169.254")],
        ["mixed.api-us1.com"] = [IPAddress.Parse("203.0.114.1"), IPAddress.Parse("fd00::7")],
    };

    protected override IEnumerable<string> ExtraArgs() =>
        [$"--Api:RateLimit:RequestsPerSecond={RequestsPerSecond}", $"--Api:RateLimit:Burst={Burst}"];

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IHostAddressResolver>(new TableResolver());

    private sealed class TableResolver : IHostAddressResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Dns.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileFixture>
{
    public const string Name = "hostile";
}

/// <summary>Misuse of the HTTP API: floods, SSRF tricks, oversized bodies and fields, garbage in the query.</summary>
[Collection(HostileCollection.Name)]
public sealed class HostileApiTests(HostileFixture fixture)
{
    [Fact]
    public async Task AFloodFromOneKey_Gets429ProblemsWithRetryAfter_WhileOtherKeysAndProbesAreServed()
    {
        var flooding = fixture.Client(SiloFixture.ViewerKey);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => flooding.GetAsync("/api/me")));
        var elapsed = clock.Elapsed;
        var other = await fixture.Client(SiloFixture.ContributorKey).GetAsync("/api/me");
        var probes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => fixture.Client(apiKey: null).GetAsync("/health/live")));

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.OK), HostileFixture.Burst, HostileFixture.Burst + HostileFixture.RequestsPerSecond * (elapsed.TotalSeconds + 1));
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType));
        Assert.All(limited, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Contains("requests per second", await limited[0].Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.All(probes, p => Assert.Equal(HttpStatusCode.OK, p.StatusCode));
    }

    [Fact]
    public async Task GuessingKeys_IsRateLimitedToo()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => fixture.Client($"guess-{i:D20}").GetAsync("/api/exports")));

        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("evil.api-us1.com", "10.0.0.7")]
    [InlineData("meta.activehosted.com", "169.254.169.254")]
    [InlineData("mixed.api-us1.com", "fd00::7")]
    public async Task AccountNameResolvingToAPrivateAddress_Is422_AndNothingIsSaved(string hostname, string address)
    {
        var body = new { displayName = "x", hostname, apiKey = SiloFixture.SimulatorApiKey, allowContributors = false, dataPrivacyConsent = true };

        var response = await fixture.Client().PostJsonAsync("/api/connections", body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("hostname", problem.GetProperty("field").GetString());
        Assert.Contains(address, problem.GetProperty("detail").GetString());
        Assert.Contains("private, local or reserved", problem.GetProperty("detail").GetString());
        var connections = await (await fixture.Client().GetAsync("/api/connections")).ReadAsync<JsonElement>();
        Assert.DoesNotContain(connections.EnumerateArray(), c => c.GetProperty("hostname").GetString() == hostname);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("0x7f000001")]
    [InlineData("[::ffff:169.254.169.254]")]
    [InlineData("acme.api-us1.com@10.0.0.1")]
    [InlineData("acme.api-us1.com:8443")]
    [InlineData("acme.api-us1.com.")]
    [InlineData("xn--acme-9za.api-us1.com")]
    [InlineData("\u0430cme.api-us1.com")]
    public async Task SsrfTricksInTheHostname_Are400NamingTheField(string hostname)
    {
        var body = new { displayName = "x", hostname, apiKey = "k", allowContributors = false, dataPrivacyConsent = true };

        var response = await fixture.Client().PostJsonAsync("/api/connections", body);

        Assert.Equal("hostname", (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task OversizedJsonBody_Is413()
    {
        var body = $$"""{"displayName":"{{new string('x', 70 * 1024)}}"}""";

        var response = await fixture.Client().PostAsync("/api/connections", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("segmentIds")]
    [InlineData("mapping.tags")]
    [InlineData("mapping.fields")]
    [InlineData("schedule")]
    public async Task OverlongFields_Are400NamingTheField(string field)
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = JsonSerializer.SerializeToNode(Api.ExportBody(connection, "seg-hostile"), SiloFixture.Json)!;
        switch (field)
        {
            case "segmentIds": body["segmentIds"] = new System.Text.Json.Nodes.JsonArray(new string('s', 300)); break;
            case "mapping.tags": body["mapping"]!["tags"] = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(0, 30).Select(i => (System.Text.Json.Nodes.JsonNode?)$"tag{i}")]); break;
            case "mapping.fields": body["mapping"]!["fields"] = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(1, 150).Select(i => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject { ["attribute"] = $"A{i}", ["fieldId"] = i })]); break;
            default: body["schedule"] = new string('*', 200); break;
        }

        var response = await fixture.Client().PostAsync("/api/exports", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(field, (await AssertProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("/api/exports/x/rejections?limit=abc")]
    [InlineData("/api/deadletters?limit=99999999999999999999")]
    public async Task GarbageInTheQuery_Is400ProblemWithoutInternals(string url)
    {
        var response = await fixture.Client().GetAsync(url);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception", text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
