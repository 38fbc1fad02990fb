namespace OrleansExport.Simulator;

/// <summary>A webhook registered through <c>POST /api/3/webhooks</c>.</summary>
internal sealed record WebhookRecord(string Id, string Name, string Url, string[] Events, string[] Sources, string ListId, DateTimeOffset CreatedAt)
{
    /// <summary>The events ActiveCampaign documents for webhooks; others are refused (422).</summary>
    public static readonly string[] KnownEvents = ["subscribe", "unsubscribe", "bounce", "update", "contact_add", "sent", "open", "click"];

    /// <summary>Who can set off a webhook, as <c>initiated_from</c> names them.</summary>
    public static readonly string[] KnownSources = ["public", "admin", "api", "system"];

    /// <summary>List id "0" means every list.</summary>
    public bool Matches(string type, string source, string listId) =>
        Array.IndexOf(Events, type) >= 0 && Array.IndexOf(Sources, source) >= 0 && (ListId == "0" || ListId == listId);

    public SimWebhook ToSimWebhook() => new(Id, Name, Url, Events, Sources, ListId, CreatedAt);
}

/// <summary>A webhook of the simulated account, as <c>GET /api/3/webhooks/{id}</c> answers it.</summary>
/// <param name="Id">The webhook id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Url">Where deliveries are posted.</param>
/// <param name="Events">Event types it fires on (<c>subscribe</c>, <c>unsubscribe</c>, <c>bounce</c>, ...).</param>
/// <param name="Sources">Sources it fires for (<c>public</c>, <c>admin</c>, <c>api</c>, <c>system</c>).</param>
/// <param name="ListId">The list it watches; "0" for every list.</param>
/// <param name="Cdate">When it was created.</param>
public sealed record SimWebhook(string Id, string Name, string Url, IReadOnlyList<string> Events, IReadOnlyList<string> Sources, string ListId, DateTimeOffset Cdate);

/// <summary>One attempt to deliver a webhook.</summary>
/// <param name="WebhookId">The webhook delivered.</param>
/// <param name="Type">The event type (<c>unsubscribe</c>, ...).</param>
/// <param name="ListId">The list of the event.</param>
/// <param name="Email">The contact's email.</param>
/// <param name="Outcome"><c>delivered</c> (2xx), <c>refused</c> (another status), <c>failed</c> (no answer) or <c>dropped</c> (fault).</param>
/// <param name="StatusCode">The receiver's HTTP status, when it answered.</param>
/// <param name="At">When the attempt ended.</param>
public sealed record SimWebhookDelivery(string WebhookId, string Type, string ListId, string Email, string Outcome, int? StatusCode, DateTimeOffset At);
