using System.Security.Claims;
using System.Text;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Silo.Api;

/// <summary>The contacts ActiveCampaign refused or that could not be sent: list, summary and CSV (docs/api.md: Exports).</summary>
public static class ExportRejectionsApi
{
    public const int MaxRejectionsLimit = 1000;

    public static void MapExportRejectionsApi(this RouteGroupBuilder group)
    {
        group.MapGet("/{id}/rejections", RejectionsAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The newest contacts that ActiveCampaign refused or that could not be sent, newest first; ?reason= keeps one kind, ?offset= skips (limit: 1 to 1000, default 100)")
            .Produces<List<Rejection>>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/rejections/summary", RejectionSummaryAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The export's rejections counted by kind, most frequent first, with the newest examples of each")
            .Produces<RejectionSummary>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/rejections.csv", RejectionsCsvAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("Every rejection the export keeps, as CSV (profileId, email, kind, reason, at), newest first")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> RejectionsAsync(string id, int? limit, int? offset, string? reason, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxRejectionsLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxRejectionsLimit}.", "limit");
        }

        if (offset is < 0)
        {
            return Problems.BadRequest("offset must be 0 or more: how many of the newest rejections to skip.", "offset");
        }

        RejectionKind? kind = null;
        if (reason is not null)
        {
            kind = Enum.GetValues<RejectionKind>().Select(k => (RejectionKind?)k).FirstOrDefault(k => RejectionCsv.KindName(k!.Value) == reason);
            if (kind is null)
            {
                var names = string.Join(", ", Enum.GetValues<RejectionKind>().Select(RejectionCsv.KindName));
                return Problems.BadRequest($"reason '{reason}' is not a kind of rejection; use one of {names}.", "reason");
            }
        }

        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        return export is null ? ExportsApi.NotFound(id) : Results.Ok(await grains.GetGrain<IExportGrain>(id).GetRejectionsAsync(kind, offset ?? 0, limit ?? 100));
    }

    private static async Task<IResult> RejectionSummaryAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        return export is null ? ExportsApi.NotFound(id) : Results.Ok(await grains.GetGrain<IExportGrain>(id).GetRejectionSummaryAsync());
    }

    private static async Task<IResult> RejectionsCsvAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return ExportsApi.NotFound(id);
        }

        var rejections = await grains.GetGrain<IExportGrain>(id).GetRejectionsAsync(null, 0, int.MaxValue);
        return Results.File(Encoding.UTF8.GetBytes(RejectionCsv.Write(rejections)), "text/csv; charset=utf-8", $"{id}-rejections.csv");
    }
}
