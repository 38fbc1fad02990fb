using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// What the people of an account do to it besides the API (a person unsubscribes through a campaign's link or re-subscribes
/// through a form, a user unsubscribes, edits or deletes a contact in the app, a hard bounce), and what the API lets a
/// client read of it: a contact's list statuses, a list's contacts status by status, contact edits, webhooks.
/// </summary>
public sealed partial class SimulatorState
{
    /// <summary>The campaign an unsubscribe link belongs to when the caller names none.</summary>
    public const string DefaultCampaignId = "1";

    private readonly List<WebhookRecord> _webhooks = [];
    private int _lastWebhookId;
    private long _changes; // counts every change to a list's contacts, so a cached listing knows it is stale
    private ContactListing? _listing;

    /// <summary>
    /// The person unsubscribes from a list: through a campaign's unsubscribe link (status 2, source <c>public</c>, the
    /// campaign recorded) or, <paramref name="byUser"/>, an account user does it in the app (status 2, source <c>admin</c>).
    /// </summary>
    public PersonActionOutcome Unsubscribe(string email, string listId, bool byUser = false, string? campaignId = null, string? reason = null) =>
        PersonAction(email, listId, contact =>
        {
            var detail = byUser ? new UnsubscribeDetail(null, reason, null) : new UnsubscribeDetail(campaignId ?? DefaultCampaignId, reason, null);
            SetStatusLocked(listId, contact, Unsubscribed, byUser ? ChangeSource.Admin : ChangeSource.Public, detail);
        });

    /// <summary>A hard bounce: status 3 (source <c>system</c>) on <paramref name="listId"/>, or on every list the contact is on when null.</summary>
    public PersonActionOutcome Bounce(string email, string? listId = null) =>
        PersonAction(email, listId, contact =>
        {
            foreach (var list in listId is null ? ListsOfLocked(contact.Id) : [listId])
            {
                SetStatusLocked(list, contact, ListMembership.Bounced, ChangeSource.System);
            }
        });

    /// <summary>
    /// The person subscribes again through a form (source <c>public</c>): status 1, or 0 (unconfirmed) when
    /// <paramref name="confirmed"/> is false, as with a double opt-in not yet confirmed.
    /// </summary>
    public PersonActionOutcome Resubscribe(string email, string listId, bool confirmed = true) =>
        PersonAction(email, listId, contact =>
            SetStatusLocked(listId, contact, confirmed ? Subscribed : ListMembership.Unconfirmed, ChangeSource.Public));

    /// <summary>An account user deletes the contact in the app: gone from every list and from the email lookup.</summary>
    public PersonActionOutcome DeleteInApp(string email) => PersonAction(email, null, DeleteLocked);

    /// <summary>An account user changes the contact's email in the app; fires <c>update</c> webhooks (source <c>admin</c>).</summary>
    public PersonActionOutcome ChangeEmailInApp(string email, string newEmail)
    {
        if (!EmailRules.IsValid(newEmail))
        {
            return PersonActionOutcome.InvalidEmail;
        }

        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (!_contactsByEmail.TryGetValue(email, out var contact))
            {
                return PersonActionOutcome.UnknownContact;
            }

            return ChangeEmailLocked(contact, newEmail, ChangeSource.Admin) ? PersonActionOutcome.Done : PersonActionOutcome.EmailTaken;
        }
    }

    /// <summary>What <c>GET /api/3/contacts/{id}/contactLists</c> answers, or null for an unknown or deleted contact.</summary>
    internal IReadOnlyList<ContactListView>? GetContactLists(int contactId)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (FindContactLocked(contactId) is null)
            {
                return null;
            }

            var result = new List<ContactListView>();
            foreach (var (listId, statuses) in _listStatuses)
            {
                if (statuses.TryGetValue(contactId, out var membership))
                {
                    result.Add(ViewLocked(listId, contactId, membership));
                }
            }

            return result;
        }
    }

    /// <summary>
    /// <c>GET /api/3/contacts</c>: contacts by id, optionally only those on <paramref name="listId"/> (with
    /// <paramref name="status"/> there, -1 for any), with <paramref name="email"/> (any case), and updated (the contact or
    /// one of its list statuses) after <paramref name="updatedAfter"/>. An unknown list lists none.
    /// </summary>
    internal Page<ContactBody> ListContacts(string? listId, int status, string? email, Paging paging, DateTimeOffset? updatedAfter = null)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (!string.IsNullOrEmpty(email))
            {
                ContactRecord[] found = _contactsByEmail.TryGetValue(email, out var contact) && IsListedLocked(contact.Id, listId, status)
                    && UpdatedAfter(contact, updatedAfter) ? [contact] : [];
                return new Page<ContactBody>([.. found.Skip(paging.Offset).Take(paging.Limit).Select(Body)], found.Length);
            }

            // A reader pages through a list at 100 a page: sorting it once per change, not once per page, keeps a million cheap.
            if (_listing is not { } listing || listing.ListId != listId || listing.Status != status || listing.UpdatedAfter != updatedAfter
                || listing.Changes != _changes)
            {
                listing = new ContactListing(listId, status, updatedAfter, _changes,
                    [.. ListedIdsLocked(listId, status).Where(id => UpdatedAfter(_contacts[id - 1], updatedAfter))]);
                _listing = listing;
            }

            var page = listing.ContactIds.Skip(paging.Offset).Take(paging.Limit).Select(id => Body(_contacts[id - 1])).ToArray();
            return new Page<ContactBody>(page, listing.ContactIds.Length);
        }
    }

    /// <summary><c>PUT /api/3/contacts/{id}</c>: changes the given members; the email must already be valid.</summary>
    internal (ContactUpdateOutcome Outcome, ContactBody? Contact) UpdateContact(int contactId, ContactSyncBody body)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (FindContactLocked(contactId) is not { } contact)
            {
                return (ContactUpdateOutcome.UnknownContact, null);
            }

            if (body.Email is { } email && !ChangeEmailLocked(contact, email, ChangeSource.Api))
            {
                return (ContactUpdateOutcome.EmailTaken, null);
            }

            UpsertLocked(contact.Email, body.FirstName, body.LastName, body.Phone, body.FieldValues, tags: null);
            return (ContactUpdateOutcome.Updated, Body(contact));
        }
    }

    internal WebhookRecord AddWebhook(string name, string url, string[] events, string[] sources, string listId)
    {
        lock (_gate)
        {
            var webhook = new WebhookRecord(
                (++_lastWebhookId).ToString(CultureInfo.InvariantCulture), name, url, events, sources, listId, Time.GetUtcNow());
            _webhooks.Add(webhook);
            return webhook;
        }
    }

    internal WebhookRecord? FindWebhook(string id)
    {
        lock (_gate)
        {
            return _webhooks.Find(webhook => webhook.Id == id);
        }
    }

    internal Page<WebhookRecord> GetWebhooks(Paging paging)
    {
        lock (_gate)
        {
            return new Page<WebhookRecord>([.. _webhooks.Skip(paging.Offset).Take(paging.Limit)], _webhooks.Count);
        }
    }

    internal bool DeleteWebhook(string id)
    {
        lock (_gate)
        {
            return _webhooks.RemoveAll(webhook => webhook.Id == id) > 0;
        }
    }

    /// <summary>The webhooks registered through the API, as <c>GET /api/3/webhooks</c> shows them.</summary>
    public IReadOnlyList<SimWebhook> GetWebhooks()
    {
        lock (_gate)
        {
            return [.. _webhooks.Select(webhook => webhook.ToSimWebhook())];
        }
    }

    /// <summary>The latest webhook deliveries (up to <see cref="WebhookDispatcher.KeptDeliveries"/>), oldest first.</summary>
    public IReadOnlyList<SimWebhookDelivery> GetWebhookDeliveries() => Webhooks.Deliveries();

    /// <summary>Stops delivering webhooks.</summary>
    public void Dispose() => Webhooks.Dispose();

    /// <summary>True when the contact had no status on the list before.</summary>
    private bool SetStatusLocked(string listId, ContactRecord contact, byte status, ChangeSource source, UnsubscribeDetail? detail = null)
    {
        var statuses = _listStatuses[listId];
        uint now = NowSeconds();
        bool created = !statuses.TryGetValue(contact.Id, out var before);
        var after = created ? ListMembership.Start(status, source, now) : before.With(status, source, now);
        if (!created && after == before)
        {
            return false;
        }

        statuses[contact.Id] = after;
        TouchLocked(contact);
        if (status is Unsubscribed && detail is not null)
        {
            _unsubscribeDetails[(listId, contact.Id)] = detail;
        }
        else
        {
            _unsubscribeDetails.Remove((listId, contact.Id));
        }

        string? type = status switch
        {
            Subscribed => "subscribe",
            Unsubscribed => "unsubscribe",
            ListMembership.Bounced => "bounce",
            _ => null,
        };
        if (type is not null)
        {
            NotifyLocked(type, source, listId, contact, detail);
        }

        return created;
    }

    /// <summary>False when another contact has <paramref name="newEmail"/> already.</summary>
    private bool ChangeEmailLocked(ContactRecord contact, string newEmail, ChangeSource source)
    {
        if (string.Equals(contact.Email, newEmail, StringComparison.Ordinal))
        {
            return true;
        }

        if (_contactsByEmail.TryGetValue(newEmail, out var holder) && holder != contact)
        {
            return false;
        }

        _contactsByEmail.Remove(contact.Email);
        contact.Email = newEmail;
        _contactsByEmail.Add(newEmail, contact);
        TouchLocked(contact);
        foreach (var listId in ListsOfLocked(contact.Id))
        {
            NotifyLocked("update", source, listId, contact, null);
        }

        return true;
    }

    private void NotifyLocked(string type, ChangeSource source, string listId, ContactRecord contact, UnsubscribeDetail? detail)
    {
        if (_webhooks.Count == 0)
        {
            return;
        }

        string sourceName = ListMembership.Name(source);
        foreach (var webhook in _webhooks)
        {
            if (webhook.Matches(type, sourceName, listId))
            {
                Webhooks.Enqueue(webhook, WebhookForm.Build(type, sourceName, listId, contact, detail, Time.GetUtcNow()));
            }
        }
    }

    private PersonActionOutcome PersonAction(string email, string? listId, Action<ContactRecord> act)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (listId is not null && !_listStatuses.ContainsKey(listId))
            {
                return PersonActionOutcome.UnknownList;
            }

            if (!_contactsByEmail.TryGetValue(email, out var contact))
            {
                return PersonActionOutcome.UnknownContact;
            }

            act(contact);
            return PersonActionOutcome.Done;
        }
    }

    private List<string> ListsOfLocked(int contactId) =>
        [.. _listStatuses.Where(pair => pair.Value.ContainsKey(contactId)).Select(pair => pair.Key)];

    private bool IsListedLocked(int contactId, string? listId, int status) =>
        listId is null || (_listStatuses.TryGetValue(listId, out var statuses)
            && statuses.TryGetValue(contactId, out var membership)
            && (status < 0 || membership.Status == status));

    private int[] ListedIdsLocked(string? listId, int status)
    {
        if (listId is null)
        {
            return [.. _contacts.Where(contact => !contact.Deleted).Select(contact => contact.Id)];
        }

        if (!_listStatuses.TryGetValue(listId, out var statuses))
        {
            return [];
        }

        var ids = statuses.Where(pair => status < 0 || pair.Value.Status == status).Select(pair => pair.Key).ToArray();
        Array.Sort(ids);
        return ids;
    }

    private ContactListView ViewLocked(string listId, int contactId, ListMembership membership)
    {
        _unsubscribeDetails.TryGetValue((listId, contactId), out var detail);
        return new ContactListView(
            contactId.ToString(CultureInfo.InvariantCulture),
            listId,
            membership.Status.ToString(CultureInfo.InvariantCulture),
            FormatTime(membership.SubscribedAt),
            FormatTime(membership.UnsubscribedAt),
            ListMembership.SourceId(membership.Source),
            detail?.Reason,
            detail?.Campaign,
            detail?.Automation);
    }

    private uint NowSeconds() => (uint)Math.Clamp(Time.GetUtcNow().ToUnixTimeSeconds(), 1, uint.MaxValue);

    private static string? FormatTime(uint seconds) => seconds == 0
        ? null
        : DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static ContactBody Body(ContactRecord contact) =>
        new(contact.Id.ToString(CultureInfo.InvariantCulture), contact.Email, contact.FirstName, contact.LastName, contact.Phone);

    private sealed record ContactListing(string? ListId, int Status, DateTimeOffset? UpdatedAfter, long Changes, int[] ContactIds);

    private static bool UpdatedAfter(ContactRecord contact, DateTimeOffset? after) =>
        after is not { } since || DateTimeOffset.FromUnixTimeSeconds(contact.UpdatedAt) > since;

    /// <summary>The contact or one of its list statuses changed now.</summary>
    private void TouchLocked(ContactRecord contact)
    {
        contact.UpdatedAt = NowSeconds();
        _changes++;
    }
}

/// <summary>What a person's action on the simulated account did.</summary>
public enum PersonActionOutcome
{
    Done,
    UnknownContact,
    UnknownList,
    /// <summary>Another contact has the new email already.</summary>
    EmailTaken,
    InvalidEmail,
}

/// <summary>What <c>PUT /api/3/contacts/{id}</c> did.</summary>
internal enum ContactUpdateOutcome
{
    Updated,
    UnknownContact,
    EmailTaken,
}
