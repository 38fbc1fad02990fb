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
        group.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Access.AdminOnly)
            .WithSummary("Change the display name, contributor access, profile cap or API key (a new key is verified first); the hostname cannot change")
            .Accepts<UpdateConnectionBody>("application/json").Produces<ConnectionView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}/lists", GetListsAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Every list of the connection's ActiveCampaign account, optionally those whose name contains ?search=")
            .Produces<List<AccountListItem>>().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapGet("/{id}/fields", GetFieldsAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Every custom contact field of the account, optionally those whose title contains ?search=")
            .Produces<List<AccountFieldItem>>().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapGet("/{id}/tags", GetTagsAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Every tag of the account, optionally those whose name contains ?search=")
            .Produces<List<AccountTagItem>>().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status502BadGateway);
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

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var (body, problem) = await Problems.ReadJsonAsync<UpdateConnectionBody>(request, json.Value.SerializerOptions);
        if (body is null)
        {
            return problem!;
        }

        if (await ExportAccess.RefuseScopedConnectionChangeAsync(user, grains, id, "change") is { } outOfScope)
        {
            return outOfScope;
        }

        if (body.Hostname is not null)
        {
            return Problems.BadRequest("hostname cannot change: a connection belongs to one ActiveCampaign account. Create a new connection for another account.", "hostname");
        }

        long? profileCap = null;
        if (body.ProfileCap.ValueKind == JsonValueKind.Number && body.ProfileCap.TryGetInt64(out var cap))
        {
            profileCap = cap;
        }
        else if (body.ProfileCap.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return Problems.BadRequest("profileCap must be a positive whole number of profiles, or null for no connection-wide cap.", "profileCap");
        }

        var patch = new ConnectionPatch(body.DisplayName, body.ApiKey, body.AllowContributors,
            ChangeProfileCap: body.ProfileCap.ValueKind != JsonValueKind.Undefined, ProfileCap: profileCap);
        var result = await grains.GetGrain<IConnectionGrain>(id).UpdateAsync(patch, user.UserName());
        return result.Error is { } error ? Problems.From(error) : Results.Ok(result.Value);
    }

    private static Task<IResult> GetListsAsync(string id, string? search, ClaimsPrincipal user, IGrainFactory grains) =>
        ReadAccountAsync(id, user, grains, connection => connection.GetListsAsync(search));

    private static Task<IResult> GetFieldsAsync(string id, string? search, ClaimsPrincipal user, IGrainFactory grains) =>
        ReadAccountAsync(id, user, grains, connection => connection.GetFieldsAsync(search));

    private static Task<IResult> GetTagsAsync(string id, string? search, ClaimsPrincipal user, IGrainFactory grains) =>
        ReadAccountAsync(id, user, grains, connection => connection.GetTagsAsync(search));

    /// <summary>The pickers: for admins, and for contributors on connections that allow them (others see no such connection).</summary>
    private static async Task<IResult> ReadAccountAsync<T>(string id, ClaimsPrincipal user, IGrainFactory grains, Func<IConnectionGrain, Task<OperationResult<T>>> read)
    {
        var connection = grains.GetGrain<IConnectionGrain>(id);
        if (await connection.GetAsync() is not { } view || !user.CanUse(view))
        {
            return Problems.NotFound($"Connection '{id}' does not exist.");
        }

        var result = await read(connection);
        return result.Error is { } error ? Problems.From(error) : Results.Ok(result.Value);
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await ExportAccess.RefuseScopedConnectionChangeAsync(user, grains, id, "delete") ??
        (await grains.GetGrain<IConnectionGrain>(id).DeleteAsync(user.UserName()) ? Results.NoContent() : Problems.NotFound($"Connection '{id}' does not exist."));

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
