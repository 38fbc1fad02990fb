using System.Security.Claims;
using Microsoft.Extensions.Options;
using OrleansExport.Grains;
using OrleansExport.Grains.Exports;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OrleansExport.Silo.Api;

/// <summary>
/// An export's definition: create, list, get, change, pause, resume, delete (docs/api.md: Exports). Its rejections, runs
/// and guardrails hang off the same route group, each in a file of its own.
/// </summary>
public static class ExportsApi
{
    public const int MaxExportsLimit = 1000;

    public static void MapExportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/exports").WithTags("Exports");
        group.MapPost("/", CreateAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Export segments to an ActiveCampaign list; the list is verified first, no run starts")
            .Accepts<CreateExportBody>("application/json").Produces<ExportResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", ListAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("The exports this key may see, with live status, in id order; ?limit= (1 to 1000, default 1000) and ?offset= page through them")
            .Produces<List<ExportResponse>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One export's definition and live status").Produces<ExportResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Change an export: a changed mapping sends exactly the members whose data changed, added segments bring their members, a new list gets every member")
            .Accepts<UpdateExportBody>("application/json").Produces<ExportResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{id}/pause", PauseAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Stop sending (events are still applied; runs are refused) until resumed")
            .Produces<ExportResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/resume", ResumeAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Send again after a pause").Produces<ExportResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Delete an export").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapExportRejectionsApi();
        group.MapExportRunsApi();
        group.MapGuardrailsApi();
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<JsonOptions> json, TimeProvider time,
        SegmentAdmission admission, IOptions<ExportOptions> exportOptions)
    {
        var (read, problem) = await Problems.ReadJsonAsync<CreateExportBody>(request, json.Value.SerializerOptions);
        if (read is null)
        {
            return problem!;
        }

        var body = read with { ListId = ExportDefinitionRules.CanonicalListId(read.ListId) };
        if (string.IsNullOrWhiteSpace(body.ConnectionId))
        {
            return Problems.BadRequest("connectionId is required.", "connectionId");
        }

        var connection = await grains.GetGrain<IConnectionGrain>(body.ConnectionId).GetAsync();
        if (connection is null || !user.CanSee(connection))
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Unknown connection", $"Connection '{body.ConnectionId}' does not exist.", "connectionId");
        }

        if (!user.CanUse(connection))
        {
            return Problems.Forbidden($"Connection '{connection.Id}' is for admins only; ask an admin to allow contributors on it.");
        }

        if (await ExportAccess.RefuseContributorAsync(user, grains, connection, body.ListId, body.OnErase, null) is { } contributorRefused)
        {
            return contributorRefused;
        }

        if (body.Mapping is null || string.IsNullOrWhiteSpace(body.Mapping.Email))
        {
            return Problems.BadRequest("mapping.email is required: the profile attribute that holds the email address.", "mapping.email");
        }

        if (OutsideScope(user, body.SegmentIds) is { } outside)
        {
            return outside;
        }

        var (_, maxUnsubscribePercent, percentProblem) = GuardrailsApi.ReadMaxUnsubscribePercent(body.MaxUnsubscribePercent);
        if (percentProblem is not null)
        {
            return percentProblem;
        }

        var mapping = MappingOf(body.Mapping);
        var id = ConnectionsApi.NewId("exp");
        var definition = new ExportDefinition(id, body.DisplayName ?? "", connection.Id, body.ListId ?? "", body.SegmentIds ?? [], mapping,
            body.OnLeave ?? LeaveAction.Unsubscribe, Blank(body.Schedule), user.UserName(), time.GetUtcNow(), body.ExcludeAutomations,
            body.OnErase ?? EraseAction.Unsubscribe, Blank(body.AlertWebhook))
            .WithMaxUnsubscribePercent(body.MaxUnsubscribePercent.ValueKind == System.Text.Json.JsonValueKind.Undefined
                ? ExportDefinition.DefaultMaxUnsubscribePercent : maxUnsubscribePercent);

        // A definition refused anyway registers no segment: Ingest:MaxSegments counts every segment ever admitted.
        if (ExportDefinitionRules.Validate(definition, exportOptions.Value.MinScheduleInterval) is { } invalid)
        {
            return Problems.From(invalid);
        }

        if (await RefuseSegmentsAsync(body.SegmentIds, admission) is { } refusedSegments)
        {
            return refusedSegments;
        }

        var result = await grains.GetGrain<IExportGrain>(id).CreateAsync(definition);
        if (result.Error is { } error)
        {
            return Problems.From(error);
        }

        var status = await grains.GetGrain<IExportGrain>(id).GetStatusAsync();
        return Results.Created($"/api/exports/{id}", ExportResponse.From(status!, null));
    }

    /// <summary>403 naming the first segment the caller's key may not reach, or null.</summary>
    private static IResult? OutsideScope(ClaimsPrincipal user, IEnumerable<string>? segmentIds)
    {
        var scope = user.Scope();
        return scope.FirstOutside(segmentIds ?? []) is { } segment
            ? Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                $"Segment '{segment}' is outside this key's segment scope ({scope}); an export may only take segments of the scope.", "segmentIds")
            : null;
    }

    /// <summary>
    /// 400 for a segment id the contract does not allow, 422 when the cluster cannot register one more segment; else null
    /// (the named segments are then registered).
    /// </summary>
    private static async Task<IResult?> RefuseSegmentsAsync(IReadOnlyList<string>? segmentIds, SegmentAdmission admission)
    {
        if (segmentIds is null)
        {
            return null;
        }

        if (segmentIds.Select(id => IdRules.InvalidSegmentId(id, "segmentIds")).FirstOrDefault(e => e is not null) is { } invalid)
        {
            return Problems.BadRequest($"{invalid}.", "segmentIds");
        }

        var refused = await admission.AdmitAsync(segmentIds);
        return refused.Count > 0
            ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "Too many segments", admission.Reason(refused.First()) + ".", "segmentIds")
            : null;
    }

    private static ContactMapping MappingOf(MappingBody body) =>
        new(body.Email!, Blank(body.FirstName), Blank(body.LastName), Blank(body.Phone),
            (body.Fields ?? []).Select(f => new FieldMapping(f.Attribute ?? "", f.FieldId)).ToList(),
            (body.Tags ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).ToList());

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IOptions<JsonOptions> json,
        SegmentAdmission admission, IOptions<ExportOptions> exportOptions)
    {
        var (read, problem) = await Problems.ReadJsonAsync<UpdateExportBody>(request, json.Value.SerializerOptions);
        if (read is null)
        {
            return problem!;
        }

        var body = read with { ListId = ExportDefinitionRules.CanonicalListId(read.ListId) };
        if (await FindChangeableAsync(id, user, grains, "change") is { } refused)
        {
            return refused;
        }

        // What the export already has is no move: only a new list or a new onErase is checked.
        if (user.IsInRole(Roles.Contributor) && await FindVisibleAsync(id, user, grains) is ({ } current, { } connection)
            && await ExportAccess.RefuseContributorAsync(user, grains, connection,
                body.ListId == ExportDefinitionRules.CanonicalListId(current.ListId) ? null : body.ListId, body.OnErase == current.OnErase ? null : body.OnErase, id) is { } contributorRefused)
        {
            return contributorRefused;
        }

        if (body.Mapping is { } mappingBody && string.IsNullOrWhiteSpace(mappingBody.Email))
        {
            return Problems.BadRequest("mapping.email is required: the profile attribute that holds the email address.", "mapping.email");
        }

        if (OutsideScope(user, body.SegmentIds) is { } outside)
        {
            return outside;
        }

        if (body.Unknown is { Count: > 0 } unknown)
        {
            var names = string.Join(", ", unknown.Keys);
            return Problems.BadRequest($"{names} cannot be changed here: PATCH takes displayName, listId, segmentIds, mapping, onLeave, onErase, schedule, excludeAutomations, alertWebhook and maxUnsubscribePercent " +
                "(a different connection needs a new export).", unknown.Keys.First());
        }

        var (changePercent, maxUnsubscribePercent, percentProblem) = GuardrailsApi.ReadMaxUnsubscribePercent(body.MaxUnsubscribePercent);
        if (percentProblem is not null)
        {
            return percentProblem;
        }

        var patch = new ExportPatch(body.DisplayName, body.ListId, body.SegmentIds, body.Mapping is { } m ? MappingOf(m) : null, body.OnLeave,
            body.Schedule.HasValue, body.Schedule.HasValue ? Blank(body.Schedule.Value) : null, body.ExcludeAutomations, body.OnErase,
            body.AlertWebhook.HasValue, body.AlertWebhook.HasValue ? Blank(body.AlertWebhook.Value) : null,
            changePercent, maxUnsubscribePercent);

        // A change refused anyway registers no segment: Ingest:MaxSegments counts every segment ever admitted.
        if (await grains.GetGrain<IExportGrain>(id).GetStatusAsync() is { } before
            && ExportDefinitionRules.Validate(ExportDefinitionRules.Apply(before.Definition, patch).Definition, exportOptions.Value.MinScheduleInterval) is { } invalid)
        {
            return Problems.From(invalid);
        }

        if (await RefuseSegmentsAsync(body.SegmentIds, admission) is { } refusedSegments)
        {
            return refusedSegments;
        }

        return await AnswerAsync(id, await grains.GetGrain<IExportGrain>(id).UpdateAsync(patch, user.UserName()), grains);
    }

    private static async Task<IResult> PauseAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await FindChangeableAsync(id, user, grains, "pause") ?? await AnswerAsync(id, await grains.GetGrain<IExportGrain>(id).PauseAsync(user.UserName()), grains);

    private static async Task<IResult> ResumeAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await FindChangeableAsync(id, user, grains, "resume") ?? await AnswerAsync(id, await grains.GetGrain<IExportGrain>(id).ResumeAsync(user.UserName()), grains);

    /// <summary>404 when the caller cannot see the export, 403 when it may not change it; else null.</summary>
    internal static async Task<IResult?> FindChangeableAsync(string id, ClaimsPrincipal user, IGrainFactory grains, string verb)
    {
        var (export, connection) = await FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return NotFound(id);
        }

        return connection is not null && !user.CanUse(connection)
            ? Problems.Forbidden($"You may not {verb} export '{id}': its connection is for admins only.")
            : null;
    }

    internal static async Task<IResult> AnswerAsync(string id, OperationResult<ExportStatus> result, IGrainFactory grains)
    {
        if (result.Error is { } error)
        {
            return Problems.From(error);
        }

        var lastRun = (await grains.GetGrain<IExportRunsGrain>(id).ListRunsAsync()).FirstOrDefault();
        var webhookList = await grains.GetGrain<IExportWebhookGrain>(id).GetRegisteredListAsync();
        return Results.Ok(ExportResponse.From(result.Value!, lastRun, webhookList == result.Value!.Definition.ListId));
    }

    /// <summary>
    /// The visible exports in id order, a page at a time: <c>offset</c> visible exports skipped, at most <c>limit</c>
    /// returned (default and most <see cref="MaxExportsLimit"/>). Each export costs several grain calls, so only the
    /// ids a page needs are read, in chunks of the page's size.
    /// </summary>
    private static async Task<IResult> ListAsync(int? limit, int? offset, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxExportsLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxExportsLimit}.", "limit");
        }

        if (offset is < 0)
        {
            return Problems.BadRequest("offset must be 0 or more: how many exports to skip.", "offset");
        }

        var (take, skip) = (limit ?? MaxExportsLimit, offset ?? 0);
        var ids = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsAsync();
        var page = new List<ExportResponse>(Math.Min(take, ids.Count));
        foreach (var chunk in ids.Chunk(take))
        {
            foreach (var (export, _) in await Task.WhenAll(chunk.Select(id => FindVisibleAsync(id, user, grains))))
            {
                if (export is null)
                {
                    continue;
                }

                if (skip > 0)
                {
                    skip--;
                }
                else if (page.Count < take)
                {
                    page.Add(export);
                }
            }

            if (page.Count == take)
            {
                break;
            }
        }

        return Results.Ok(page);
    }

    private static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await FindVisibleAsync(id, user, grains);
        return export is null ? NotFound(id) : Results.Ok(export);
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await FindChangeableAsync(id, user, grains, "change") is { } refused)
        {
            return refused;
        }

        await grains.GetGrain<IExportGrain>(id).DeleteAsync(user.UserName());
        return Results.NoContent();
    }

    /// <summary>
    /// The export as this user may see it (contributors: only on connections that allow them; a scoped key:
    /// only exports whose segments are all in its scope), with its connection.
    /// </summary>
    internal static async Task<(ExportResponse? Export, ConnectionView? Connection)> FindVisibleAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var status = await grains.GetGrain<IExportGrain>(id).GetStatusAsync();
        if (status is null || user.Scope().FirstOutside(status.Definition.SegmentIds) is not null)
        {
            return (null, null);
        }

        var connection = await grains.GetGrain<IConnectionGrain>(status.Definition.ConnectionId).GetAsync();
        if (user.IsInRole(Roles.Contributor) && connection is not { AllowContributors: true })
        {
            return (null, null);
        }

        var lastRun = (await grains.GetGrain<IExportRunsGrain>(id).ListRunsAsync()).FirstOrDefault();
        var webhookList = await grains.GetGrain<IExportWebhookGrain>(id).GetRegisteredListAsync();
        var export = ExportResponse.From(status, lastRun, webhookList == status.Definition.ListId);
        return (export with { AlertWebhook = ExportAccess.AlertWebhookFor(user, export.AlertWebhook) }, connection);
    }

    internal static IResult NotFound(string id) => Problems.NotFound($"Export '{id}' does not exist.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
