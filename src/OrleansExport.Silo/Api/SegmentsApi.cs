namespace OrleansExport.Silo.Api;

public static class SegmentsApi
{
    public static void MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/segments").WithTags("Segments");
        group.MapGet("/", ListAsync).RequireAuthorization(Access.AnyRole)
            .WithSummary("Every segment the cluster holds, with its members and the exports that take it").Produces<List<SegmentView>>();
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Access.AnyRole)
            .WithSummary("One segment").Produces<SegmentView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListSegmentsAsync();
        var segments = await Task.WhenAll(ids.Select(id => grains.GetGrain<ISegmentGrain>(id).GetAsync()));
        return Results.Ok(segments.OfType<SegmentView>().ToList());
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<ISegmentGrain>(id).GetAsync() is { } segment
            ? Results.Ok(segment)
            : Problems.NotFound($"Segment '{id}' has received no event and no export takes it.");
}
