using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Every endpoint the host maps, called by every role: no key, Viewer, Contributor and Admin on an
/// admin-only connection, Contributor on one that allows contributors, Ingest, and a Contributor scoped to
/// segments <c>scoped-*</c> on an export inside its scope and on one outside it. The endpoints come from the
/// app itself, so a new endpoint without a row here fails the test; the Orleans Dashboard's many routes
/// share one rule and get their rows from the app too.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class RoleRouteMatrixTests(SiloFixture fixture)
{
    private enum Outcome
    {
        /// <summary>2xx, or 409 when the call conflicts with a run already going.</summary>
        Allowed,
        /// <summary>401: no or unknown key.</summary>
        Unauthenticated,
        /// <summary>403: the role may not make this call.</summary>
        Forbidden,
        /// <summary>404 or 422: the resource is not visible to this role (contributors and admin-only connections).</summary>
        Hidden,
        /// <summary>Let through by authorization (neither 401 nor 403), for routes of third-party surfaces called with made-up parameters.</summary>
        Passes,
    }

    private const Outcome A = Outcome.Allowed, U = Outcome.Unauthenticated, F = Outcome.Forbidden, H = Outcome.Hidden, P = Outcome.Passes;

    /// <summary>Each set has its own list: a Contributor may not take a list that an export it cannot see uses.</summary>
    private const string GrainStateRoute = "/dashboard/GrainState";

    private sealed record Ids(string Connection, string Export, string RunId, string Segment, string ListId, string ReconciliationId);

    /// <param name="Expected">
    /// No key, Viewer, Contributor, Admin (admin-only resources), Contributor on a shared connection, Ingest (admin-only resources),
    /// scoped Contributor on a shared connection with an export inside its scope, the same with one outside it.
    /// </param>
    private sealed record Row(string Method, string Pattern, Func<Ids, string> Url, Func<Ids, object?> Body, bool Destructive, Outcome[] Expected);

    private Row[] Matrix() =>
    [
        new("GET", "/health/live", _ => "/health/live", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/health/ready", _ => "/health/ready", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/metrics", _ => "/metrics", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/openapi/{documentName}.json", _ => "/openapi/v1.json", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/docs/{documentName?}", _ => "/docs/", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/docs/scalar.js", _ => "/docs/scalar.js", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/docs/scalar.aspnetcore.js", _ => "/docs/scalar.aspnetcore.js", _ => null, false, [A, A, A, A, A, A, A, A]),
        new("GET", "/docs/favicon.svg", _ => "/docs/favicon.svg", _ => null, false, [P, P, P, P, P, P, P, P]),
        .. MappedEndpoints().Where(e => e.StartsWith("GET /dashboard", StringComparison.Ordinal) && e != $"GET {GrainStateRoute}")
            .Select(e => new Row("GET", e[4..], _ => Sample(e[4..]), _ => null, false, [U, P, F, P, F, F, F, F])),
        // It activates the grain it names: Admin only, and the project's own grain types only (DashboardGrainState_... below).
        new("GET", GrainStateRoute, _ => $"{GrainStateRoute}?grainType=OrleansExport.Grains.CatalogGrain&grainId=catalog", _ => null, false, [U, F, F, P, F, F, F, F]),
        new("GET", "/api/me", _ => "/api/me", _ => null, false, [U, A, A, A, A, F, A, A]),
        new("POST", "/api/connections", _ => "/api/connections", _ => Api.ConnectionBody(fixture), false, [U, F, F, A, F, F, F, F]),
        new("GET", "/api/connections", _ => "/api/connections", _ => null, false, [U, A, A, A, A, F, A, A]),
        new("GET", "/api/connections/{id}", ids => $"/api/connections/{ids.Connection}", _ => null, false, [U, A, H, A, A, F, A, A]),
        new("PATCH", "/api/connections/{id}", ids => $"/api/connections/{ids.Connection}", _ => new { displayName = "Renamed" }, false, [U, F, F, A, F, F, F, F]),
        new("GET", "/api/connections/{id}/lists", ids => $"/api/connections/{ids.Connection}/lists", _ => null, false, [U, F, H, A, A, F, A, A]),
        new("GET", "/api/connections/{id}/fields", ids => $"/api/connections/{ids.Connection}/fields", _ => null, false, [U, F, H, A, A, F, A, A]),
        new("GET", "/api/connections/{id}/tags", ids => $"/api/connections/{ids.Connection}/tags", _ => null, false, [U, F, H, A, A, F, A, A]),
        new("GET", "/api/connections/{id}/usage", ids => $"/api/connections/{ids.Connection}/usage", _ => null, false, [U, A, H, A, A, F, A, A]),
        new("DELETE", "/api/connections/{id}", ids => $"/api/connections/{ids.Connection}", _ => null, true, [U, F, F, A, F, F, F, F]),
        new("POST", "/api/exports", _ => "/api/exports", ids => Api.ExportBody(ids.Connection, ids.Segment, ids.ListId), false, [U, F, H, A, A, F, A, F]),
        new("GET", "/api/exports", _ => "/api/exports", _ => null, false, [U, A, A, A, A, F, A, A]),
        new("GET", "/api/exports/{id}", ids => $"/api/exports/{ids.Export}", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("PATCH", "/api/exports/{id}", ids => $"/api/exports/{ids.Export}", _ => new { displayName = "Renamed" }, false, [U, F, H, A, A, F, A, H]),
        new("POST", "/api/exports/{id}/pause", ids => $"/api/exports/{ids.Export}/pause", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("POST", "/api/exports/{id}/resume", ids => $"/api/exports/{ids.Export}/resume", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("DELETE", "/api/exports/{id}", ids => $"/api/exports/{ids.Export}", _ => null, true, [U, F, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/rejections", ids => $"/api/exports/{ids.Export}/rejections", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/rejections/summary", ids => $"/api/exports/{ids.Export}/rejections/summary", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/rejections.csv", ids => $"/api/exports/{ids.Export}/rejections.csv", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/activity", ids => $"/api/exports/{ids.Export}/activity", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("POST", "/api/exports/{id}/runs", ids => $"/api/exports/{ids.Export}/runs", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/runs", ids => $"/api/exports/{ids.Export}/runs", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/runs/{runId}", ids => $"/api/exports/{ids.Export}/runs/{ids.RunId}", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("POST", "/api/exports/{id}/runs/{runId}/cancel", ids => $"/api/exports/{ids.Export}/runs/{ids.RunId}/cancel", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("POST", "/api/exports/{id}/release", ids => $"/api/exports/{ids.Export}/release", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/preview", ids => $"/api/exports/{ids.Export}/preview", _ => null, false, [U, A, H, A, A, F, A, H]),
        // The export holds no member: readers get 404 from the lookup itself (P), the rest as for GET /api/exports/{id}.
        new("GET", "/api/exports/{id}/members/{profileId}", ids => $"/api/exports/{ids.Export}/members/p-nobody", _ => null, false, [U, P, H, P, P, F, P, H]),
        new("GET", "/api/exports/{id}/members", ids => $"/api/exports/{ids.Export}/members?email=nobody@example.com", _ => null, false, [U, P, H, P, P, F, P, H]),
        new("POST", "/api/exports/{id}/reconciliations", ids => $"/api/exports/{ids.Export}/reconciliations", _ => null, false, [U, F, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/reconciliations", ids => $"/api/exports/{ids.Export}/reconciliations", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("GET", "/api/exports/{id}/reconciliations/{reconciliationId}", ids => $"/api/exports/{ids.Export}/reconciliations/{ids.ReconciliationId}", _ => null, false, [U, A, H, A, A, F, A, H]),
        new("POST", "/api/activecampaign/webhooks/{secret}", _ => $"/api/activecampaign/webhooks/{new string('x', 43)}", _ => null, false, [H, H, H, H, H, H, H, H]),
        new("POST", "/api/events", _ => "/api/events", _ => Array.Empty<object>(), false, [U, F, F, A, F, A, F, F]),
        new("GET", "/api/segments", _ => "/api/segments", _ => null, false, [U, A, A, A, A, F, A, A]),
        new("GET", "/api/segments/{id}", ids => $"/api/segments/{ids.Segment}", _ => null, false, [U, A, A, A, A, F, A, H]),
        new("GET", "/api/deadletters", _ => "/api/deadletters", _ => null, false, [U, A, F, A, F, F, F, F]),
        new("GET", "/api/audit", _ => "/api/audit", _ => null, false, [U, A, F, A, F, F, F, F]),
    ];

    [Fact]
    public void EveryMappedEndpoint_HasARow()
    {
        var mapped = MappedEndpoints();
        var rows = Matrix().Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        Assert.True(!mapped.Except(rows).Any(), "endpoints without a row: " + string.Join(", ", mapped.Except(rows)));
        Assert.True(!rows.Except(mapped).Any(), "rows without an endpoint: " + string.Join(", ", rows.Except(mapped)));
    }

    [Fact]
    public async Task EveryRoleGetsWhatTheContractSays_OnEveryEndpoint()
    {
        var adminOnly = await NewResourcesAsync(allowContributors: false, "seg-matrix-");
        var shared = await NewResourcesAsync(allowContributors: true, "seg-matrix-");
        var inScope = await NewResourcesAsync(allowContributors: true, SiloFixture.ScopePrefix);
        string?[] keys =
        [
            null, SiloFixture.ViewerKey, SiloFixture.ContributorKey, SiloFixture.AdminKey, SiloFixture.ContributorKey, SiloFixture.IngestKey,
            SiloFixture.ScopedContributorKey, SiloFixture.ScopedContributorKey,
        ];
        var failures = new List<string>();

        foreach (var row in Matrix())
        {
            for (var column = 0; column < keys.Length; column++)
            {
                var (resources, allowContributors, segmentPrefix) = column switch
                {
                    4 or 7 => (shared, true, "seg-matrix-"),
                    6 => (inScope, true, SiloFixture.ScopePrefix),
                    _ => (adminOnly, false, "seg-matrix-"),
                };
                var ids = row.Destructive ? await NewResourcesAsync(allowContributors, segmentPrefix) : resources;
                var response = await SendAsync(row, ids, keys[column]);
                var status = (int)response.StatusCode;
                if (!Matches(row.Expected[column], status))
                {
                    failures.Add($"{row.Method} {row.Pattern} as {Column(column)}: expected {row.Expected[column]}, got {status}");
                }

                if ((status is 401 or 403 || (status >= 400 && row.Pattern.StartsWith("/api/", StringComparison.Ordinal)))
                    && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{row.Method} {row.Pattern} as {Column(column)}: {status} without problem+json");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task DashboardGrainState_RefusesAViewer_AndAGrainTypeThatIsNotThisServices()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        async Task<HttpStatusCode> GetAsync(string key, string grainType)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{GrainStateRoute}?grainType={Uri.EscapeDataString(grainType)}&grainId=x");
            request.Headers.Authorization = new("Bearer", key);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(SiloFixture.ViewerKey, "OrleansExport.Grains.CatalogGrain"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(SiloFixture.AdminKey, "Orleans.Runtime.Versions.VersionStoreGrain"));
        Assert.NotEqual(HttpStatusCode.Forbidden, await GetAsync(SiloFixture.AdminKey, "OrleansExport.Grains.CatalogGrain"));
    }

    private static bool Matches(Outcome expected, int status) => expected switch
    {
        Outcome.Allowed => status is >= 200 and < 300 or 409,
        Outcome.Unauthenticated => status == 401,
        Outcome.Forbidden => status == 403,
        Outcome.Hidden => status is 404 or 422,
        _ => status is not (401 or 403),
    };

    private static string Column(int column) => new[]
    {
        "no key", "Viewer", "Contributor", "Admin", "Contributor (shared connection)", "Ingest",
        "scoped Contributor (export in scope)", "scoped Contributor (export outside scope)",
    }[column];

    /// <summary>Reads only the headers: some dashboard routes stream for as long as the client listens.</summary>
    private async Task<HttpResponseMessage> SendAsync(Row row, Ids ids, string? key)
    {
        // Not following redirects: a client drops the Authorization header when it does.
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        var request = new HttpRequestMessage(new HttpMethod(row.Method), row.Url(ids));
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        if (row.Body(ids) is { } body)
        {
            request.Content = JsonContent(body);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.Dispose();
        return response;
    }

    /// <summary>A URL for a route pattern: each parameter gets a made-up value.</summary>
    private static string Sample(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]*\}", match => match.Value.Contains(":int", StringComparison.Ordinal) ? "1" : "x");

    private static HttpContent JsonContent(object body) =>
        new StringContent(JsonSerializer.Serialize(body, SiloFixture.Json), System.Text.Encoding.UTF8, "application/json");

    private async Task<Ids> NewResourcesAsync(bool allowContributors, string segmentPrefix)
    {
        var connection = await Api.CreateConnectionAsync(fixture, allowContributors);
        var segment = $"{segmentPrefix}{Guid.NewGuid():N}";
        var listId = fixture.Simulator.State.NewList($"matrix-{segment}");
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId, firstRun: false);
        var reconciliation = await fixture.Client().PostAsync($"/api/exports/{export}/reconciliations", null);
        Assert.Equal(HttpStatusCode.Accepted, reconciliation.StatusCode);
        var run = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        return new Ids(connection, export, (await run.ReadAsync<JsonElement>()).GetProperty("runId").GetString()!, segment, listId,
            (await reconciliation.ReadAsync<JsonElement>()).GetProperty("reconciliationId").GetString()!);
    }

    private HashSet<string> MappedEndpoints() =>
        fixture.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => $"{method} {Normalize(e.RoutePattern.RawText)}"))
            .ToHashSet();

    private static string Normalize(string? pattern) => "/" + (pattern ?? "").Trim('/');
}
