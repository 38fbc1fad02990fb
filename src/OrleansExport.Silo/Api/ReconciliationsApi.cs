using System.Security.Claims;

namespace OrleansExport.Silo.Api;

/// <summary>Reconciliations of an export with its ActiveCampaign list (docs/api.md): same rights as runs.</summary>
public static class ReconciliationsApi
{
    public static void MapReconciliationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/exports/{id}/reconciliations").WithTags("Exports");
        group.MapPost("/", StartAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Read the whole list and compare: members deleted in the app are sent again, contacts unsubscribed by others become opted out, strangers are counted; unsubscribes nobody")
            .Produces<ReconciliationStarted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The export's reconciliations, newest first").Produces<List<ReconciliationView>>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{reconciliationId}", GetAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One reconciliation's status and figures").Produces<ReconciliationView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> StartAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, connection) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return NotFound(id);
        }

        if (connection is null || !user.CanUse(connection))
        {
            return connection is null
                ? Problems.Create(StatusCodes.Status409Conflict, "Conflict", $"Export '{id}' has no connection any more; it cannot reconcile.", null)
                : Problems.Forbidden($"You may not reconcile export '{id}': its connection is for admins only.");
        }

        var result = await grains.GetGrain<IReconciliationGrain>(id).StartAsync(user.UserName());
        return result.Error is { } error
            ? Problems.From(error)
            : Results.Accepted($"/api/exports/{id}/reconciliations/{result.Value!.ReconciliationId}", new ReconciliationStarted(result.Value.ReconciliationId));
    }

    private static async Task<IResult> ListAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        return export is null ? NotFound(id) : Results.Ok(await grains.GetGrain<IReconciliationGrain>(id).ListAsync());
    }

    private static async Task<IResult> GetAsync(string id, string reconciliationId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        var found = export is null ? null : await grains.GetGrain<IReconciliationGrain>(id).GetAsync(reconciliationId);
        return found is null ? Problems.NotFound($"Reconciliation '{reconciliationId}' of export '{id}' does not exist.") : Results.Ok(found);
    }

    private static IResult NotFound(string id) => Problems.NotFound($"Export '{id}' does not exist.");
}

public sealed record ReconciliationStarted(string ReconciliationId);
