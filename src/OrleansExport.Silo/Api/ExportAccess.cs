using System.Security.Claims;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Silo.Api;

/// <summary>
/// The finer rules of who may do what (docs/api.md, "Who may do what"): what a Contributor may not point an export
/// at, what a Viewer reads of an alert webhook, and what a segment-scoped key may change and read.
/// </summary>
public static class ExportAccess
{
    /// <summary>
    /// 403 naming the field when a Contributor asks for <c>onErase: delete</c> (deletes contacts account-wide) or a
    /// list of the same ActiveCampaign account that an export it cannot see already uses; else null.
    /// </summary>
    public static async Task<IResult?> RefuseContributorAsync(
        ClaimsPrincipal user, IGrainFactory grains, ConnectionView connection, string? listId, EraseAction? onErase, string? exportId)
    {
        if (!user.IsInRole(Roles.Contributor))
        {
            return null;
        }

        if (onErase == EraseAction.Delete)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                "onErase \"delete\" deletes contacts from the whole ActiveCampaign account; only an admin may choose it.", "onErase");
        }

        if (string.IsNullOrWhiteSpace(listId))
        {
            return null;
        }

        foreach (var otherId in await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsAsync())
        {
            if (otherId == exportId || await grains.GetGrain<IExportGrain>(otherId).GetStatusAsync() is not { } other
                || ExportDefinitionRules.CanonicalListId(other.Definition.ListId) != ExportDefinitionRules.CanonicalListId(listId.Trim()))
            {
                continue;
            }

            var otherConnection = other.Definition.ConnectionId == connection.Id
                ? connection
                : await grains.GetGrain<IConnectionGrain>(other.Definition.ConnectionId).GetAsync();
            var sameAccount = otherConnection is not null
                && string.Equals(otherConnection.Hostname, connection.Hostname, StringComparison.OrdinalIgnoreCase);
            if (sameAccount && (await ExportsApi.FindVisibleAsync(otherId, user, grains)).Export is null)
            {
                return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                    $"List {listId} of this ActiveCampaign account is already used by an export you cannot see; choose another list or ask an admin.", "listId");
            }
        }

        return null;
    }

    /// <summary>What a Viewer reads of an alert webhook: scheme and host only (a chat webhook's path is its password).</summary>
    public static string? AlertWebhookFor(ClaimsPrincipal user, string? alertWebhook) =>
        alertWebhook is null || !user.IsInRole(Roles.Viewer) ? alertWebhook
        : Uri.TryCreate(alertWebhook, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…"
        : "…";

    /// <summary>A scoped key changes a connection only when every export of it is inside its scope: 403 otherwise; else null.</summary>
    public static async Task<IResult?> RefuseScopedConnectionChangeAsync(ClaimsPrincipal user, IGrainFactory grains, string connectionId, string verb)
    {
        var scope = user.Scope();
        if (scope.IsUnscoped)
        {
            return null;
        }

        var exportIds = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsOfConnectionAsync(connectionId);
        var statuses = await Task.WhenAll(exportIds.Select(id => grains.GetGrain<IExportGrain>(id).GetStatusAsync()));
        return statuses.Any(s => s is not null && scope.FirstOutside(s.Definition.SegmentIds) is not null)
            ? Problems.Forbidden($"You may not {verb} connection '{connectionId}': it has exports of segments outside this key's segment scope ({scope}).")
            : null;
    }

    /// <summary>The audit entries a scoped key may read: of exports it can see, and of connections it may change.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> VisibleAuditAsync(ClaimsPrincipal user, IGrainFactory grains, IReadOnlyList<AuditEntry> entries, int limit)
    {
        if (user.Scope().IsUnscoped)
        {
            return [.. entries.Take(limit)];
        }

        var visible = new Dictionary<(AuditSubject, string), bool>();
        var kept = new List<AuditEntry>(limit);
        foreach (var entry in entries)
        {
            var key = (entry.Subject, entry.SubjectId);
            if (!visible.TryGetValue(key, out var seen))
            {
                seen = entry.Subject == AuditSubject.Export
                    ? (await ExportsApi.FindVisibleAsync(entry.SubjectId, user, grains)).Export is not null
                    : await RefuseScopedConnectionChangeAsync(user, grains, entry.SubjectId, "see") is null;
                visible[key] = seen;
            }

            if (seen)
            {
                kept.Add(entry);
                if (kept.Count == limit)
                {
                    break;
                }
            }
        }

        return kept;
    }
}
