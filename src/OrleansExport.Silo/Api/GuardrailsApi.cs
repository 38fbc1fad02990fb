using System.Security.Claims;
using System.Text.Json;

namespace OrleansExport.Silo.Api;

/// <summary>The mass-unsubscribe guard's release, the send preview and one contact's story (docs/api.md: Guardrails).</summary>
public static class GuardrailsApi
{
    public static void MapGuardrailsApi(this RouteGroupBuilder group)
    {
        group.MapPost("/{id}/release", ReleaseAsync).RequireAuthorization(Access.CanWrite)
            .WithSummary("Send the unsubscribes the mass-unsubscribe guard holds; 409 when nothing is held")
            .Produces<ExportResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/preview", PreviewAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("What the export would send now (?run=true: in a full run started now), counted by action with up to 20 examples; nothing is sent")
            .Produces<SendPreview>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/members/{profileId}", MemberAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One contact's story: state, segments, last change and why; 404 when the export never held the profile")
            .Produces<MemberStory>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/members", MemberByEmailAsync).RequireAuthorization(Access.CanRead)
            .WithSummary("One contact's story found by its email (?email=, any case); 404 when no profile of the export has it")
            .Produces<MemberStory>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ReleaseAsync(string id, ClaimsPrincipal user, IGrainFactory grains) =>
        await ExportsApi.FindChangeableAsync(id, user, grains, "release the unsubscribes of")
            ?? await ExportsApi.AnswerAsync(id, await grains.GetGrain<IExportGrain>(id).ReleaseUnsubscribesAsync(user.UserName()), grains);

    private static async Task<IResult> PreviewAsync(string id, bool? run, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        var preview = export is null ? null : await grains.GetGrain<IExportGrain>(id).PreviewAsync(run ?? false);
        return preview is null ? ExportNotFound(id) : Results.Ok(preview);
    }

    private static async Task<IResult> MemberAsync(string id, string profileId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return ExportNotFound(id);
        }

        var story = await grains.GetGrain<IExportGrain>(id).GetMemberAsync(profileId);
        return story is null ? Problems.NotFound($"Export '{id}' never held profile '{profileId}'.") : Results.Ok(story);
    }

    private static async Task<IResult> MemberByEmailAsync(string id, string? email, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return Problems.BadRequest("email is required: GET /api/exports/{id}/members?email=ann@example.com (or /members/{profileId}).", "email");
        }

        var (export, _) = await ExportsApi.FindVisibleAsync(id, user, grains);
        if (export is null)
        {
            return ExportNotFound(id);
        }

        var story = await grains.GetGrain<IExportGrain>(id).FindMemberByEmailAsync(email.Trim());
        return story is null ? Problems.NotFound($"No profile of export '{id}' has the email {email.Trim()}.") : Results.Ok(story);
    }

    /// <summary>
    /// <c>maxUnsubscribePercent</c> as given: absent (not to change), null (the guard off) or a whole percent from 1 to 100;
    /// anything else is a 400.
    /// </summary>
    public static (bool Given, int? Percent, IResult? Problem) ReadMaxUnsubscribePercent(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined => (false, null, null),
        JsonValueKind.Null => (true, null, null),
        JsonValueKind.Number when value.TryGetInt32(out var percent) && percent is >= 1 and <= 100 => (true, percent, null),
        _ => (false, null, Problems.BadRequest(
            "maxUnsubscribePercent is a whole percent from 1 to 100 (default 20), or null to switch the mass-unsubscribe guard off.", "maxUnsubscribePercent")),
    };

    private static IResult ExportNotFound(string id) => Problems.NotFound($"Export '{id}' does not exist.");
}
