namespace OrleansExport.Silo.Api;

/// <summary><c>GET /api/deadletters</c>: upstream events that reached no export, with why (admins and viewers).</summary>
public static class DeadLettersApi
{
    public const int MaxLimit = Grains.DeadLetterGrain.MaxKept;

    public static void MapDeadLettersApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/deadletters", GetAsync).RequireAuthorization(Access.CanInspect).WithTags("Dead letters")
            .WithSummary("Upstream events that could not be applied (malformed), counted, with the latest and their reason")
            .Produces<DeadLetterSummary>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> GetAsync(int? limit, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxLimit}.", "limit");
        }

        return Results.Ok(await grains.GetGrain<IDeadLetterGrain>(IDeadLetterGrain.Key).GetAsync(limit ?? 100));
    }
}
