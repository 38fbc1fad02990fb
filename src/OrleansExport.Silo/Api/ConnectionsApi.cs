using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Api;

public static class ConnectionsApi
{
    public static void MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/connections").WithTags("Connections");
        group.MapPost("/", CreateAsync).RequireAuthorization(Access.AdminOnly)
            .WithSummary("Connect an ActiveCampaign account; the key is verified against ActiveCampaign first")
            .Accepts<CreateConnectionBody>("application/json").Produces<ConnectionView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The connections this key may see, with the API key masked").Produces<List<ConnectionView>>();
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One connection, with the API key masked").Produces<ConnectionView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Access.AdminOnly)
            .WithSummary("Delete a connection: its exports stop and its credentials are erased")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var (body, problem) = await Problems.ReadJsonAsync<CreateConnectionBody>(request, json.Value.SerializerOptions);
        if (body is null)
        {
            return problem!;
        }

        var id = NewId("con");
        var result = await grains.GetGrain<IConnectionGrain>(id).CreateAsync(new ConnectionRequest(
            body.DisplayName ?? "", body.Hostname ?? "", body.ApiKey ?? "", body.AllowContributors, body.DataPrivacyConsent, body.ProfileCap, user.UserName()));
        return result.Error is { } error ? Problems.From(error) : Results.Created($"/api/connections/{id}", result.Value);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListConnectionsAsync();
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IConnectionGrain>(id).GetAsync()));
        return Results.Ok(views.OfType<ConnectionView>().Where(user.CanSee).ToList());
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IConnectionGrain>(id).GetAsync();
        return view is not null && user.CanSee(view) ? Results.Ok(view) : Problems.NotFound($"Connection '{id}' does not exist.");
    }

    private static async Task<IResult> DeleteAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<IConnectionGrain>(id).DeleteAsync() ? Results.NoContent() : Problems.NotFound($"Connection '{id}' does not exist.");

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
