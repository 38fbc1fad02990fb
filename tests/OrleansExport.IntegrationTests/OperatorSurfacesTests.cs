using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>The OpenAPI document, its reference at /docs, and the Orleans Dashboard kept to admins and viewers.</summary>
[Collection(SiloCollection.Name)]
public sealed class OperatorSurfacesTests(SiloFixture fixture)
{
    [Fact]
    public async Task OpenApiDocument_DescribesBodiesAnswersProblemsAndTheBearerScheme()
    {
        var document = await (await fixture.Client(apiKey: null).GetAsync("/openapi/v1.json")).ReadAsync<JsonElement>();

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
        var create = document.GetProperty("paths").GetProperty("/api/connections").GetProperty("post");
        Assert.Equal("#/components/schemas/CreateConnectionBody", SchemaRef(create.GetProperty("requestBody"), "application/json"));
        Assert.Equal("#/components/schemas/ConnectionView", SchemaRef(create.GetProperty("responses").GetProperty("201"), "application/json"));
        foreach (var status in new[] { "400", "401", "403", "422" })
        {
            Assert.Equal("#/components/schemas/ProblemDetails", SchemaRef(create.GetProperty("responses").GetProperty(status), "application/problem+json"));
        }

        var runs = document.GetProperty("paths").GetProperty("/api/exports/{id}/runs");
        Assert.Equal("#/components/schemas/RunStarted", SchemaRef(runs.GetProperty("post").GetProperty("responses").GetProperty("202"), "application/json"));
        Assert.True(runs.GetProperty("post").GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("ProblemDetails", out _));
        var ingest = document.GetProperty("paths").GetProperty("/api/events").GetProperty("post");
        Assert.Equal("#/components/schemas/SegmentEvent", ingest.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("items").GetProperty("$ref").GetString());

        var operations = document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject().Select(op => (Route: $"{op.Name} {path.Name}", Operation: op.Value))).ToList();
        Assert.True(operations.Count >= 14, $"only {operations.Count} operations");
        Assert.All(operations, op =>
        {
            Assert.True(op.Operation.TryGetProperty("summary", out _), $"{op.Route} has no summary");
            Assert.Equal("Bearer", op.Operation.GetProperty("security")[0].EnumerateObject().Single().Name);
            Assert.True(op.Operation.GetProperty("responses").TryGetProperty("401", out _), $"{op.Route} does not document 401");
        });
        Assert.DoesNotContain(operations, op => op.Route.Contains("/dashboard", StringComparison.Ordinal) || op.Route.Contains("/metrics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Docs_ServeTheInteractiveReferenceWithoutAKey()
    {
        var response = await fixture.Client(apiKey: null).GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>OrleansExport API</title>", page);
        var script = await fixture.Client(apiKey: null).GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Dashboard_AsksABrowserForAKeyAndLetsAdminsAndViewersIn()
    {
        var anonymous = await fixture.Client(apiKey: null).GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);

        Assert.Equal(HttpStatusCode.Forbidden, (await BasicClient(SiloFixture.ContributorKey).GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client(SiloFixture.ContributorKey).GetAsync("/dashboard/ClusterStats")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BasicClient("not-a-configured-key-at-all").GetAsync("/dashboard/")).StatusCode);

        var page = await BasicClient(SiloFixture.AdminKey).GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await BasicClient(SiloFixture.ViewerKey).GetAsync("/dashboard/ClusterStats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client(SiloFixture.ViewerKey).GetAsync("/dashboard/ClusterStats")).StatusCode);
    }

    private static string SchemaRef(JsonElement holder, string mediaType) =>
        holder.GetProperty("content").GetProperty(mediaType).GetProperty("schema").GetProperty("$ref").GetString()!;

    private HttpClient BasicClient(string key)
    {
        var client = fixture.Client(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{key}")));
        return client;
    }
}
