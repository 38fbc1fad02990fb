using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// Everything the simulated account holds: lists, contacts, queued bulk imports, rate windows and stats.
/// Tests and operators inspect it directly (in process) or through <c>/_sim</c>.
/// </summary>
/// <remarks>
/// Bulk imports are applied lazily: before contact data is read or written, every batch whose
/// <see cref="SimulatorOptions.ImportApplyDelay"/> has passed is applied, in arrival order. Seen from outside this is
/// the same as a background worker, but it needs no thread and is exact under a fake <see cref="TimeProvider"/>.
/// </remarks>
public sealed partial class SimulatorState : IDisposable
{
    internal const byte Subscribed = ListMembership.Active;
    internal const byte Unsubscribed = ListMembership.Unsubscribed;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly HashSet<string> _apiKeys;
    private readonly HashSet<string> _revokedApiKeys = new(StringComparer.Ordinal);
    private readonly long _applyDelayTimestampTicks;

    private readonly List<ContactRecord> _contacts = []; // index: id - 1
    private readonly Dictionary<string, ContactRecord> _contactsByEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Dictionary<int, ListMembership>> _listStatuses = new(StringComparer.Ordinal); // list id -> contact id -> status
    private readonly Dictionary<(string ListId, int ContactId), UnsubscribeDetail> _unsubscribeDetails = [];
    private readonly Dictionary<string, ImportBatch> _batches = new(StringComparer.Ordinal);
    private readonly Queue<ImportBatch> _unapplied = new();
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal); // field ids repeat across contacts
    private readonly AccountCatalog _catalog = new();

    internal SimulatorState(SimulatorOptions options, TimeProvider time)
    {
        Options = options;
        _time = time;
        _apiKeys = new HashSet<string>(options.ApiKeys, StringComparer.Ordinal);
        // Like the rate windows, the apply delay is account time: a time scale of 60 applies imports 60 times sooner.
        _applyDelayTimestampTicks = (long)(options.ImportApplyDelay.TotalSeconds / options.TimeScale * time.TimestampFrequency);
        Windows = new RateWindows(options, time);
        Faults = new FaultInjector(options.Faults, time, options.TimeScale);
        Webhooks = new WebhookDispatcher(Faults, time);
        foreach (string listId in options.ListIds)
        {
            AddList(listId);
        }
    }

    internal SimulatorOptions Options { get; }

    internal TimeProvider Time => _time;

    internal RateWindows Windows { get; }

    internal StatsCounters Stats { get; } = new();

    internal FaultInjector Faults { get; }

    internal WebhookDispatcher Webhooks { get; }

    /// <summary>The contacts on a list with their status there, in the order they joined it; empty for an unknown list.</summary>
    public IReadOnlyList<SimContact> GetListContacts(string listId)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (!_listStatuses.TryGetValue(listId, out var statuses))
            {
                return [];
            }

            var result = new List<SimContact>(statuses.Count);
            foreach (var (contactId, membership) in statuses)
            {
                result.Add(_contacts[contactId - 1].ToSimContact(membership.Status));
            }

            return result;
        }
    }

    /// <summary>Counters since start or the last <see cref="Reset"/>.</summary>
    public SimulatorStats GetStats() => Stats.Snapshot();

    /// <summary>Whether a list with this id exists.</summary>
    public bool ListExists(string listId)
    {
        lock (_gate)
        {
            return _listStatuses.ContainsKey(listId);
        }
    }

    /// <summary>Creates a list under the next free numeric id (ActiveCampaign's list ids are numbers) and returns the id.</summary>
    public string NewList(string? name = null)
    {
        lock (_gate)
        {
            var number = _listStatuses.Count + 1;
            while (!AddList(number.ToString(System.Globalization.CultureInfo.InvariantCulture), name))
            {
                number++;
            }

            return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Creates a list, named "List {id}" unless <paramref name="name"/> says otherwise; returns false when it already existed.</summary>
    public bool AddList(string listId, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listId);
        lock (_gate)
        {
            if (!_listStatuses.TryAdd(listId, []))
            {
                return false;
            }

            _catalog.AddList(listId, string.IsNullOrWhiteSpace(name) ? $"List {listId}" : name);
            return true;
        }
    }

    /// <summary>Creates a custom contact field; returns it with its new id.</summary>
    public SimField AddField(string title, string type = "text")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        lock (_gate)
        {
            return _catalog.AddField(title, type);
        }
    }

    /// <summary>The tag of that name (any case), created when missing.</summary>
    public SimTag AddTag(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return _catalog.EnsureTag(name);
        }
    }

    /// <summary>Makes <paramref name="apiKey"/> valid (again); returns false when it already was.</summary>
    public bool AddApiKey(string apiKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        lock (_gate)
        {
            _revokedApiKeys.Remove(apiKey);
            return _apiKeys.Add(apiKey);
        }
    }

    /// <summary>
    /// Revokes a valid key: from now on it is answered with a 200 HTML login page, as ActiveCampaign has been seen to
    /// answer an expired or revoked key. Returns false when the key was not valid.
    /// </summary>
    public bool RevokeApiKey(string apiKey)
    {
        lock (_gate)
        {
            if (!_apiKeys.Remove(apiKey))
            {
                return false;
            }

            _revokedApiKeys.Add(apiKey);
            return true;
        }
    }

    /// <summary>How many keys are valid and how many revoked (never the keys themselves).</summary>
    public (int Valid, int Revoked) CountApiKeys()
    {
        lock (_gate)
        {
            return (_apiKeys.Count, _revokedApiKeys.Count);
        }
    }

    /// <summary>Starts the counters of <see cref="GetStats"/> again; contacts, lists and rate windows stay.</summary>
    public void ResetStats() => Stats.Reset();

    /// <summary>
    /// Forgets contacts, memberships, import batches, webhooks and their deliveries, stats, rate windows and fault counters,
    /// and frees the memory they held. Lists, fields, tags, keys and faults stay.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            // Emptied and shrunk: an account that held a million contacts would otherwise keep their tables' capacity.
            _contacts.Clear();
            _contacts.TrimExcess();
            _contactsByEmail.Clear();
            _contactsByEmail.TrimExcess();
            foreach (var statuses in _listStatuses.Values)
            {
                statuses.Clear();
                statuses.TrimExcess();
            }

            _batches.Clear();
            _batches.TrimExcess();
            _unapplied.Clear();
            _unapplied.TrimExcess();
            _interned.Clear();
            _interned.TrimExcess();
            _unsubscribeDetails.Clear();
            _unsubscribeDetails.TrimExcess();
            _webhooks.Clear();
            _listing = null;
        }

        Webhooks.Reset();

        Stats.Reset();
        Windows.Reset();
        Faults.ResetCounters();
    }

    internal ApiKeyStatus CheckApiKey(string? key)
    {
        lock (_gate)
        {
            return key is null ? ApiKeyStatus.Unknown
                : _apiKeys.Contains(key) ? ApiKeyStatus.Valid
                : _revokedApiKeys.Contains(key) ? ApiKeyStatus.Revoked
                : ApiKeyStatus.Unknown;
        }
    }

    internal SimList? FindList(string listId)
    {
        lock (_gate)
        {
            return _catalog.FindList(listId);
        }
    }

    internal Page<SimList> GetLists(Paging paging)
    {
        lock (_gate)
        {
            return _catalog.Lists(paging);
        }
    }

    internal Page<SimField> GetFields(Paging paging)
    {
        lock (_gate)
        {
            return _catalog.Fields(paging);
        }
    }

    internal Page<SimTag> GetTags(string? search, Paging paging)
    {
        lock (_gate)
        {
            return _catalog.Tags(search, paging);
        }
    }

    /// <summary>Null when a tag of that name (any case) exists already.</summary>
    internal SimTag? CreateTag(string name, string tagType, string description)
    {
        lock (_gate)
        {
            return _catalog.CreateTag(name, tagType, description);
        }
    }

    /// <summary>Attaches a tag to a contact (contactTags).</summary>
    internal ContactTagOutcome TagContact(int contactId, string tagId)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (FindContactLocked(contactId) is null)
            {
                return ContactTagOutcome.UnknownContact;
            }

            if (_catalog.FindTag(tagId) is not { } tag)
            {
                return ContactTagOutcome.UnknownTag;
            }

            var contact = _contacts[contactId - 1];
            if (!contact.AddTag(tag.Tag))
            {
                return ContactTagOutcome.Existing;
            }

            TouchLocked(contact);
            return ContactTagOutcome.Created;
        }
    }

    /// <summary>Queues a validated bulk import; returns its batch id.</summary>
    internal string QueueImport(IReadOnlyList<BulkImportContact> contacts)
    {
        var batch = new ImportBatch(Guid.NewGuid().ToString(), contacts, _time.GetTimestamp() + _applyDelayTimestampTicks);
        lock (_gate)
        {
            ApplyDueImportsLocked();
            _batches.Add(batch.Id, batch);
            _unapplied.Enqueue(batch);
        }

        return batch.Id;
    }

    /// <summary>The batch's outcome, or null when no such batch exists.</summary>
    internal ImportInfoResponse? GetImportInfo(string batchId)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (!_batches.TryGetValue(batchId, out var batch))
            {
                return null;
            }

            return batch.IsCompleted
                ? new ImportInfoResponse("completed", Array.ConvertAll(batch.SucceededContactIds, FormatId), batch.FailedEmails)
                : new ImportInfoResponse("processing", [], []);
        }
    }

    /// <summary>Upserts by email, synchronously. The email must already be valid.</summary>
    internal (ContactBody Contact, bool Created) SyncContact(ContactSyncBody body)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            var (contact, created) = UpsertLocked(body.Email!, body.FirstName, body.LastName, body.Phone, body.FieldValues, tags: null);
            return (new ContactBody(FormatId(contact.Id), contact.Email, contact.FirstName, contact.LastName, contact.Phone), created);
        }
    }

    /// <summary>
    /// Sets a contact's status on a list through the API (<c>sourceid</c> "0"). Unlike bulk import this re-subscribes
    /// anyone, also a person who unsubscribed themselves: the real API does not protect them.
    /// </summary>
    internal ContactListOutcome SetListStatus(string listId, int contactId, byte status)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (!_listStatuses.ContainsKey(listId))
            {
                return ContactListOutcome.UnknownList;
            }

            if (FindContactLocked(contactId) is not { } contact)
            {
                return ContactListOutcome.UnknownContact;
            }

            return SetStatusLocked(listId, contact, status, ChangeSource.Api)
                ? ContactListOutcome.Created
                : ContactListOutcome.Updated;
        }
    }

    /// <summary>Deletes a contact: gone from every list and from the email lookup. False for an unknown or deleted id.</summary>
    internal bool DeleteContact(int contactId)
    {
        lock (_gate)
        {
            ApplyDueImportsLocked();
            if (FindContactLocked(contactId) is not { } contact)
            {
                return false;
            }

            DeleteLocked(contact);
            return true;
        }
    }

    private void DeleteLocked(ContactRecord contact)
    {
        contact.Deleted = true;
        _contactsByEmail.Remove(contact.Email);
        foreach (var (listId, statuses) in _listStatuses)
        {
            statuses.Remove(contact.Id);
            _unsubscribeDetails.Remove((listId, contact.Id));
        }

        _changes++;
    }

    private ContactRecord? FindContactLocked(int contactId) =>
        contactId >= 1 && contactId <= _contacts.Count && _contacts[contactId - 1] is { Deleted: false } contact ? contact : null;

    private void ApplyDueImportsLocked()
    {
        if (_unapplied.Count == 0)
        {
            return;
        }

        long now = _time.GetTimestamp();
        while (_unapplied.TryPeek(out var batch) && batch.DueTimestamp <= now)
        {
            _unapplied.Dequeue();
            ApplyLocked(batch);
        }
    }

    private void ApplyLocked(ImportBatch batch)
    {
        var contacts = batch.Pending!;
        var succeeded = new List<int>(contacts.Count);
        var failed = new List<string>();
        foreach (var item in contacts)
        {
            // The docs do not say what happens to a contact naming a list that does not exist; the
            // simulator reports it under "failure" in import/info and leaves it untouched (as it does
            // for a contact that the FailedContactRate fault picks).
            if (!AllListsExistLocked(item.Subscribe) || !AllListsExistLocked(item.Unsubscribe) || Faults.FailContact())
            {
                failed.Add(item.Email!);
                continue;
            }

            var (contact, _) = UpsertLocked(item.Email!, item.FirstName, item.LastName, item.Phone, item.Fields, item.Tags);
            foreach (var list in item.Subscribe ?? [])
            {
                // The real quirk: bulk import cannot re-subscribe a contact that is unsubscribed or bounced. The contact
                // still counts as a success in import/info, as in the real API; only POST /api/3/contactLists re-subscribes.
                if (!_listStatuses[list.ListId!].TryGetValue(contact.Id, out var current) || !current.IsOptedOut)
                {
                    SetStatusLocked(list.ListId!, contact, Subscribed, ChangeSource.Api);
                }
            }

            foreach (var list in item.Unsubscribe ?? [])
            {
                SetStatusLocked(list.ListId!, contact, Unsubscribed, ChangeSource.Api);
            }

            succeeded.Add(contact.Id);
        }

        batch.Complete([.. succeeded], [.. failed]);
    }

    private bool AllListsExistLocked(List<ListReference>? lists)
    {
        foreach (var list in lists ?? [])
        {
            if (list.ListId is null || !_listStatuses.ContainsKey(list.ListId))
            {
                return false;
            }
        }

        return true;
    }

    // Given values overwrite, missing (null) ones keep what is stored; fields are set one by one, tags are added.
    private (ContactRecord Contact, bool Created) UpsertLocked(
        string email, string? firstName, string? lastName, string? phone, IEnumerable<IFieldInput>? fields, IEnumerable<string?>? tags)
    {
        bool created = !_contactsByEmail.TryGetValue(email, out var contact);
        if (contact is null)
        {
            contact = new ContactRecord(_contacts.Count + 1, email);
            _contacts.Add(contact);
            _contactsByEmail.Add(email, contact);
        }

        bool changed = created
            || (firstName is not null && firstName != contact.FirstName)
            || (lastName is not null && lastName != contact.LastName)
            || (phone is not null && phone != contact.Phone);
        contact.FirstName = firstName ?? contact.FirstName;
        contact.LastName = lastName ?? contact.LastName;
        contact.Phone = phone ?? contact.Phone;
        foreach (var field in fields ?? [])
        {
            if (!string.IsNullOrEmpty(field.FieldId))
            {
                changed |= contact.SetField(Intern(field.FieldId), field.Value ?? "");
            }
        }

        foreach (string? tag in tags ?? [])
        {
            if (!string.IsNullOrWhiteSpace(tag))
            {
                changed |= contact.AddTag(_catalog.EnsureTag(tag.Trim()).Tag);
            }
        }

        if (changed)
        {
            TouchLocked(contact);
        }

        return (contact, created);
    }

    private string Intern(string value)
    {
        if (_interned.TryGetValue(value, out string? existing))
        {
            return existing;
        }

        _interned.Add(value, value);
        return value;
    }

    private static string FormatId(int id) => id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Whether an <c>Api-Token</c> is accepted.</summary>
internal enum ApiKeyStatus
{
    Valid,
    /// <summary>Was valid, then revoked: answered with an HTML login page.</summary>
    Revoked,
    /// <summary>Never valid: answered 403.</summary>
    Unknown,
}

/// <summary>What <see cref="SimulatorState.TagContact"/> did.</summary>
internal enum ContactTagOutcome
{
    Created,
    Existing,
    UnknownContact,
    UnknownTag,
}

/// <summary>What <see cref="SimulatorState.SetListStatus"/> did.</summary>
internal enum ContactListOutcome
{
    Created,
    Updated,
    UnknownList,
    UnknownContact,
}
