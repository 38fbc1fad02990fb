using System.Security.Claims;

namespace OrleansExport.Silo.Api;

/// <summary><c>GET /api/deadletters</c>: upstream events that reached no export, with why (admins and viewers).</summary>
public static class DeadLettersApi
{
    public const int MaxLimit = IDeadLetterGrain.MaxKept;

    public static void MapDeadLettersApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/deadletters", GetAsync).RequireAuthorization(Access.CanInspect).WithTags("Dead letters")
            .WithSummary("Upstream events that could not be applied (malformed), counted, with the latest and their reason")
            .Produces<DeadLetterSummary>().ProducesProblem(StatusCodes.Status400BadRequest);

    /// <summary>A scoped key sees the dead letters of its segments only (the counters stay the service's).</summary>
    private static async Task<IResult> GetAsync(int? limit, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxLimit}.", "limit");
        }

        var scope = user.Scope();
        var summary = await grains.GetGrain<IDeadLetterGrain>(IDeadLetterGrain.Key).GetAsync(scope.IsUnscoped ? limit ?? 100 : MaxLimit);
        return Results.Ok(scope.IsUnscoped
            ? summary
            : summary with { Recent = summary.Recent.Where(d => d.SegmentId is { } segment && scope.Contains(segment)).Take(limit ?? 100).ToList() });
    }
}
