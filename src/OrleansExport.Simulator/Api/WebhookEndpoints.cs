using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary><c>/api/3/webhooks</c>: register, read and delete the webhooks the simulator delivers.</summary>
internal sealed class WebhookEndpoints(SimulatorState state)
{
    /// <remarks>
    /// 201 with the webhook. 422 (ActiveCampaign's <c>errors</c> array) for a missing name, a URL that is not absolute
    /// http(s), no events, or an event or source ActiveCampaign does not document. <c>listid</c> defaults to "0" (every list).
    /// </remarks>
    public async Task CreateAsync(HttpContext context)
    {
        var body = (await context.ReadJsonOrNullAsync(SimulatorJson.Default.WebhookRequest))?.Webhook;
        if (body is null)
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "Expected a JSON body {\"webhook\":{\"name\",\"url\",\"events\",\"sources\",\"listid\"}}.");
            return;
        }

        string[] events = [.. (body.Events ?? []).OfType<string>().Distinct(StringComparer.Ordinal)];
        string[] sources = [.. (body.Sources ?? []).OfType<string>().Distinct(StringComparer.Ordinal)];
        string? problem = string.IsNullOrWhiteSpace(body.Name) ? "Name is required."
            : !Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") ? "Url must be an absolute http or https URL."
            : events.Length == 0 ? "At least one event is required."
            : events.FirstOrDefault(e => !WebhookRecord.KnownEvents.Contains(e)) is { } unknownEvent ? $"Unknown event {unknownEvent}."
            : sources.FirstOrDefault(s => !WebhookRecord.KnownSources.Contains(s)) is { } unknownSource ? $"Unknown source {unknownSource}."
            : null;
        if (problem is not null)
        {
            await context.WriteErrorAsync(problem, "field_invalid", "/data/attributes/webhook");
            return;
        }

        string listId = string.IsNullOrEmpty(body.ListId) ? "0" : body.ListId;
        if (listId != "0" && !state.ListExists(listId))
        {
            await context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for List with id {listId}");
            return;
        }

        var webhook = state.AddWebhook(body.Name!.Trim(), body.Url!, events, sources, listId);
        await context.WriteJsonAsync(StatusCodes.Status201Created, new WebhookEnvelope(Body(webhook)), SimulatorJson.Default.WebhookEnvelope);
    }

    public Task GetAsync(HttpContext context)
    {
        string id = context.RouteValue("id") ?? "";
        return state.FindWebhook(id) is { } webhook
            ? context.WriteJsonAsync(StatusCodes.Status200OK, new WebhookEnvelope(Body(webhook)), SimulatorJson.Default.WebhookEnvelope)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Webhook with id {id}");
    }

    public Task ListAsync(HttpContext context)
    {
        var page = state.GetWebhooks(Paging.From(context.Request.Query));
        return context.WriteJsonAsync(StatusCodes.Status200OK,
            new WebhooksPage([.. page.Items.Select(Body)], new PageMeta(page.Total.ToString(CultureInfo.InvariantCulture))),
            SimulatorJson.Default.WebhooksPage);
    }

    /// <summary>200 with <c>{}</c>, or 404 for an unknown (or deleted) webhook.</summary>
    public Task DeleteAsync(HttpContext context)
    {
        string id = context.RouteValue("id") ?? "";
        return state.DeleteWebhook(id)
            ? context.WriteJsonAsync(StatusCodes.Status200OK, new EmptyBody(), SimulatorJson.Default.EmptyBody)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for Webhook with id {id}");
    }

    private static WebhookBody Body(WebhookRecord webhook) => new(
        webhook.Id, webhook.Name, webhook.Url, webhook.Events, webhook.Sources, webhook.ListId,
        webhook.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
}
