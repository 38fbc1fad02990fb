namespace OrleansExport.ActiveCampaign;

/// <summary>A contact's status on a list, as ActiveCampaign numbers it.</summary>
public enum ContactListStatus
{
    Unconfirmed = 0,
    Active = 1,
    Unsubscribed = 2,
    Bounced = 3,
}

/// <summary>Outcome of <see cref="IActiveCampaignClient.GetListStatusAsync"/>: a contact's status on one list.</summary>
public abstract record ListStatusLookup
{
    /// <summary>404: the account has no contact with this id (never had it, or it was deleted).</summary>
    public sealed record NoSuchContact : ListStatusLookup;

    /// <summary>The contact exists but has no status on the list.</summary>
    public sealed record NotOnList : ListStatusLookup;

    /// <summary>The contact's status on the list and who set it.</summary>
    /// <param name="Status">The status.</param>
    /// <param name="SetThroughApi">
    /// Whether the last change came through the API (<c>sourceid</c> "0"): perhaps OrleansExport's own call, perhaps
    /// another integration's. False for a change by the person, an account user or ActiveCampaign, and when the answer does
    /// not say.
    /// </param>
    /// <param name="SourceId">The <c>sourceid</c> as answered, or null.</param>
    /// <param name="CampaignId">The campaign whose unsubscribe link the person used, or null.</param>
    public sealed record OnList(ContactListStatus Status, bool SetThroughApi, string? SourceId, string? CampaignId) : ListStatusLookup
    {
        /// <summary>Unsubscribed (2) or bounced (3).</summary>
        public bool IsUnsubscribedOrBounced => Status is ContactListStatus.Unsubscribed or ContactListStatus.Bounced;
    }
}

/// <summary>A contact of a list, as <c>GET /api/3/contacts?listid=</c> lists it.</summary>
public sealed record ListedContact(string Id, string Email);

/// <summary>One page of <see cref="IActiveCampaignClient.GetListContactsPageAsync"/>.</summary>
/// <param name="Contacts">The contacts of the page, in ActiveCampaign's order.</param>
/// <param name="Total">How many contacts match in all (<c>meta.total</c>) at the time of this page.</param>
/// <param name="Offset">The offset this page was read at.</param>
public sealed record ListContactsPage(IReadOnlyList<ListedContact> Contacts, int Total, int Offset)
{
    /// <summary>Contacts per page: ActiveCampaign's maximum.</summary>
    public const int PageSize = 100;

    /// <summary>The offset of the next page, or null when this was the last.</summary>
    public int? NextOffset => Contacts.Count > 0 && Offset + PageSize < Total ? Offset + PageSize : null;
}

/// <summary>A webhook of the account, as <c>GET /api/3/webhooks</c> lists it.</summary>
public sealed record AccountWebhook(string Id, string Url)
{
    /// <summary>The id only: a webhook's URL may carry an export's secret.</summary>
    public override string ToString() => $"AccountWebhook {Id}";
}

/// <summary>A webhook to register with <c>POST /api/3/webhooks</c>.</summary>
/// <param name="Name">A name users see in the account.</param>
/// <param name="Url">Where ActiveCampaign posts; it carries the receiver's secret, so it never appears in an exception or log.</param>
/// <param name="Events">Event types, such as <c>unsubscribe</c>, <c>bounce</c>, <c>subscribe</c>.</param>
/// <param name="Sources">Sources: <c>public</c>, <c>admin</c>, <c>api</c>, <c>system</c>.</param>
/// <param name="ListId">The list to watch; "0" for every list.</param>
public sealed record WebhookRegistration(string Name, string Url, IReadOnlyList<string> Events, IReadOnlyList<string> Sources, string ListId);
