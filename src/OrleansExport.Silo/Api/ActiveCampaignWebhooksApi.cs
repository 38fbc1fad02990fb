using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Webhooks;

namespace OrleansExport.Silo.Api;

/// <summary>
/// Where ActiveCampaign posts an export's webhook (docs/api.md). It carries no API key: the secret in the URL names the
/// export, and the body is hostile input (bounded by <see cref="ActiveCampaignWebhookForm"/>, rate-limited by address like
/// every anonymous call). Answers never echo what was sent.
/// </summary>
public static class ActiveCampaignWebhooksApi
{
    public static void MapActiveCampaignWebhooksApi(this IEndpointRouteBuilder app) =>
        // For ActiveCampaign, not for users of the API: left out of the OpenAPI document, whose every call takes a key.
        app.MapPost(ExportWebhookGrain.RoutePrefix + "{secret}", ReceiveAsync).AllowAnonymous().ExcludeFromDescription();

    private static async Task<IResult> ReceiveAsync(string secret, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var exportId = WebhookSecrets.HasTheShape(secret) ? await WebhookSecrets.FindExportAsync(grains, secret) : null;
        if (exportId is null)
        {
            return Problems.NotFound("No webhook has this address.");
        }

        switch (await ActiveCampaignWebhookForm.ReadAsync(request.Body, cancellationToken))
        {
            case WebhookFormResult.Accepted { Event: var e } when e.InitiatedFrom != WebhookSource.Api:
                await grains.GetGrain<IExportWebhookGrain>(exportId).ReceiveAsync(WebhookSecrets.GrainKey(secret), e.ListId, e.Email, e.Type switch
                {
                    WebhookEventType.Subscribe => ListSignal.Subscribed,
                    WebhookEventType.Unsubscribe => ListSignal.Unsubscribed,
                    _ => ListSignal.Bounced,
                });
                return Results.NoContent();

            case WebhookFormResult.Invalid:
                return Problems.Create(StatusCodes.Status400BadRequest, "Bad request", "The body is not an ActiveCampaign webhook delivery.", null);

            default:
                // Another event type, or an API call's own echo: nothing to learn.
                return Results.NoContent();
        }
    }
}
