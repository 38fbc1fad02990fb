using System.Security.Claims;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Activity;

namespace OrleansExport.Silo.Api;

/// <summary>
/// An export's delivery per minute against the account's ceiling (<c>GET /api/exports/{id}/activity</c>), and which
/// exports share a connection's account and how much of its import budget each used (<c>GET /api/connections/{id}/usage</c>).
/// </summary>
public static class ActivityApi
{
    public const int MaxMinutes = ActivityBuckets.MaxMinutes;
    public const int DefaultMinutes = 60;

    public static void MapActivityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/exports/{id}/activity", ExportActivityAsync).RequireAuthorization(Access.CanRead).WithTags("Exports")
            .WithSummary($"Contacts sent, accepted and rejected and imports used per minute (?minutes= 1 to {MaxMinutes}, default {DefaultMinutes}), the account's ceiling, this export's share of its import budget and a running run's ETA")
            .Produces<ExportActivityResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/connections/{id}/usage", AccountUsageAsync).RequireAuthorization(Access.CanRead).WithTags("Connections")
            .WithSummary($"The exports that share the connection's ActiveCampaign account and the imports and contacts each used (?minutes= 1 to {MaxMinutes}, default {DefaultMinutes})")
            .Produces<AccountUsageResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult? CheckMinutes(int? minutes) =>
        minutes is < 1 or > MaxMinutes ? Problems.BadRequest($"minutes must be between 1 and {MaxMinutes} (24 hours of minutes are kept).", "minutes") : null;

    private static async Task<IResult> ExportActivityAsync(string id, int? minutes, ClaimsPrincipal user, IGrainFactory grains, IOptions<ActiveCampaignOptions> options)
    {
        if (CheckMinutes(minutes) is { } invalid)
        {
            return invalid;
        }

        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return Problems.NotFound($"Export '{id}' does not exist.");
        }

        var window = minutes ?? DefaultMinutes;
        var buckets = await grains.GetGrain<IExportGrain>(id).GetActivityAsync(window);
        var ceiling = AccountCeiling.Of(options.Value.Limits);
        var imports = buckets.Sum(b => b.Imports);
        var running = export.LastRun is { Status: RunStatus.Running } run ? run : null;
        return Results.Ok(new ExportActivityResponse(id, window, ceiling.ContactsPerMinute, ceiling.ImportsPerMinute, ceiling.ImportBudget(window), imports,
            ceiling.ShareOf(imports, window), running?.RunId, running?.Eta, buckets));
    }

    private static async Task<IResult> AccountUsageAsync(string id, int? minutes, ClaimsPrincipal user, IGrainFactory grains, IOptions<ActiveCampaignOptions> options)
    {
        if (CheckMinutes(minutes) is { } invalid)
        {
            return invalid;
        }

        if (await grains.GetGrain<IConnectionGrain>(id).GetAsync() is not { } connection || !user.CanSee(connection))
        {
            return Problems.NotFound($"Connection '{id}' does not exist.");
        }

        var window = minutes ?? DefaultMinutes;
        var catalog = grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey);
        var sameAccount = new List<string>();
        foreach (var connectionId in await catalog.ListConnectionsAsync())
        {
            if (await grains.GetGrain<IConnectionGrain>(connectionId).GetAsync() is { } other && other.Hostname == connection.Hostname)
            {
                sameAccount.AddRange(await catalog.ListExportsOfConnectionAsync(connectionId));
            }
        }

        var ceiling = AccountCeiling.Of(options.Value.Limits);
        var usages = await Task.WhenAll(sameAccount.Distinct().Select(async exportId =>
        {
            var buckets = await grains.GetGrain<IExportGrain>(exportId).GetActivityAsync(window);
            var (export, _) = await ExportsApi.FindVisibleAsync(exportId, user, grains);
            var imports = buckets.Sum(b => b.Imports);
            return (Visible: export, Usage: new ExportUsage(exportId, export?.DisplayName ?? "", export?.ConnectionId ?? "", imports,
                buckets.Sum(b => b.Sent), buckets.Sum(b => b.Accepted), ceiling.ShareOf(imports, window)));
        }));

        var total = usages.Sum(u => u.Usage.Imports);
        var visible = usages.Where(u => u.Visible is not null).Select(u => u.Usage).OrderByDescending(u => u.Imports).ThenBy(u => u.DisplayName).ToList();
        return Results.Ok(new AccountUsageResponse(connection.Id, connection.Hostname, window, ceiling.ContactsPerMinute, ceiling.ImportsPerMinute,
            ceiling.ImportBudget(window), total, ceiling.ShareOf(total, window), visible));
    }
}

/// <summary>GET /api/exports/{id}/activity (docs/api.md section 2.4).</summary>
/// <param name="Buckets">One per minute of the window, oldest first; minutes without delivery count zero.</param>
/// <param name="Eta">When the running run <see cref="RunId"/> should end at the account's pace; null without a running run.</param>
public sealed record ExportActivityResponse(
    string ExportId,
    int Minutes,
    double CeilingContactsPerMinute,
    double CeilingImportsPerMinute,
    double ImportBudget,
    long ImportsUsed,
    double BudgetShare,
    string? RunId,
    DateTimeOffset? Eta,
    IReadOnlyList<ActivityBucket> Buckets);

/// <summary>GET /api/connections/{id}/usage (docs/api.md section 2.3).</summary>
/// <param name="ImportsUsed">By every export of the account, including those the caller may not see.</param>
/// <param name="Exports">The exports of the account the caller may see, the busiest first.</param>
public sealed record AccountUsageResponse(
    string ConnectionId,
    string Hostname,
    int Minutes,
    double CeilingContactsPerMinute,
    double CeilingImportsPerMinute,
    double ImportBudget,
    long ImportsUsed,
    double BudgetShare,
    IReadOnlyList<ExportUsage> Exports);

public sealed record ExportUsage(string ExportId, string DisplayName, string ConnectionId, long Imports, long Sent, long Accepted, double BudgetShare);
