using System.Security.Claims;

namespace OrleansExport.Silo.Api;

public static class SegmentsApi
{
    public static void MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/segments").WithTags("Segments");
        group.MapGet("/", ListAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("Every segment the cluster holds (a scoped key: those in its scope), with its members and the exports that take it")
            .Produces<List<SegmentView>>();
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One segment").Produces<SegmentView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var scope = user.Scope();
        var ids = await SegmentIndex.ListAsync(grains);
        var segments = await Task.WhenAll(ids.Where(scope.Contains).Select(id => grains.GetGrain<ISegmentGrain>(id).GetAsync()));
        return Results.Ok(segments.OfType<SegmentView>().ToList());
    }

    /// <summary>A segment outside the caller's scope answers exactly as one never seen: the key learns nothing of it.</summary>
    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        user.Scope().Contains(id) && await grains.GetGrain<ISegmentGrain>(id).GetAsync() is { } segment
            ? Results.Ok(segment)
            : Problems.NotFound($"Segment '{id}' has received no event and no export takes it.");
}
