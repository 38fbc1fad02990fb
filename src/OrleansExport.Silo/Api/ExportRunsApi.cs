using System.Security.Claims;

namespace OrleansExport.Silo.Api;

/// <summary>An export's full runs: start, list, look at one, cancel (docs/api.md: Runs).</summary>
public static class ExportRunsApi
{
    public static void MapExportRunsApi(this RouteGroupBuilder group)
    {
        group.MapPost("/{id}/runs", StartRunAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Start a full run (resync); one run per export at a time")
            .Produces<RunStarted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/runs", ListRunsAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The export's runs, newest first").Produces<List<RunView>>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/runs/{runId}", GetRunAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One run's status and progress").Produces<RunView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/runs/{runId}/cancel", CancelRunAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Cancel a queued or running run").Produces<RunView>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> StartRunAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, connection) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return ExportsApi.NotFound(id);
        }

        if (connection is null || !user.CanUse(connection))
        {
            return connection is null
                ? Problems.Create(StatusCodes.Status409Conflict, "Conflict", $"Export '{id}' has no connection any more; it cannot run.", null)
                : Problems.Forbidden($"You may not run export '{id}': its connection is for admins only.");
        }

        var result = await grains.GetGrain<IExportRunsGrain>(id).StartRunAsync($"on demand by {user.UserName()}", user.UserName());
        return result.Error is { } error
            ? Problems.From(error)
            : Results.Accepted($"/api/exports/{id}/runs/{result.Value!.RunId}", new RunStarted(result.Value.RunId, result.Value.Status, result.Value.Total));
    }

    private static async Task<IResult> ListRunsAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        return export is null ? ExportsApi.NotFound(id) : Results.Ok(await grains.GetGrain<IExportRunsGrain>(id).ListRunsAsync());
    }

    private static async Task<IResult> GetRunAsync(string id, string runId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        var run = export is null ? null : await grains.GetGrain<IExportRunsGrain>(id).GetRunAsync(runId);
        return run is null ? Problems.NotFound($"Run '{runId}' of export '{id}' does not exist.") : Results.Ok(run);
    }

    private static async Task<IResult> CancelRunAsync(string id, string runId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await ExportsApi.FindChangeableAsync(id, user, grains, "cancel runs of") is { } refused)
        {
            return refused;
        }

        var result = await grains.GetGrain<IExportRunsGrain>(id).CancelRunAsync(runId, user.UserName());
        return result.Error is { } error ? Problems.From(error) : Results.Ok(result.Value);
    }
}
