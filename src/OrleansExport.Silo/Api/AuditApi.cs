namespace OrleansExport.Silo.Api;

/// <summary><c>GET /api/audit</c>: who created, changed, paused, resumed, deleted, ran or cancelled what, and when (admins and viewers).</summary>
public static class AuditApi
{
    public const int MaxLimit = Grains.Audit.AuditGrain.MaxKept;

    public static void MapAuditApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/audit", GetAsync).RequireAuthorization(Access.CanInspect).WithTags("Audit")
            .WithSummary("What people did to connections and exports, newest first (limit: 1 to 1000, default 100)")
            .Produces<List<AuditEntry>>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> GetAsync(int? limit, System.Security.Claims.ClaimsPrincipal user, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxLimit}.", "limit");
        }

        // A scoped key reads only the entries of what it can see: filter all kept entries, then take the limit.
        var entries = await grains.GetGrain<IAuditGrain>(IAuditGrain.Key).GetAsync(user.Scope().IsUnscoped ? limit ?? 100 : MaxLimit);
        return Results.Ok(await ExportAccess.VisibleAuditAsync(user, grains, entries, limit ?? 100));
    }
}
