namespace OrleansExport.Grains.Delivery;

/// <summary>
/// What one <see cref="BatchSender.SendAsync"/> did: the bulk-import requests it made (the account's import budget
/// counts them), the contacts that went out in a request, and the imports ActiveCampaign accepted (journaled in
/// <see cref="Journal"/>, when given, before import/info is asked) with import/info's answer on each. From it the
/// delivery loop journals the delivery once for all shards (<see cref="Record"/>).
/// </summary>
public sealed class ImportTally
{
    private readonly HashSet<OutgoingContact> _wentOut = new(ReferenceEqualityComparer.Instance);
    private readonly List<AcceptedImport> _accepted = [];
    private readonly Dictionary<string, IReadOnlyList<OutgoingContact>> _contactsOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompletedImport> _completed = new(StringComparer.Ordinal);

    // A batch may hold a profile twice (a member and the unsubscribe of its retired address): contacts are told apart.
    private readonly HashSet<(string ProfileId, ContactAction Action, ulong Hash)> _imported = [];
    private readonly Dictionary<OutgoingContact, ContactOutcome> _settled = new(ReferenceEqualityComparer.Instance);

    public int Imports { get; set; }

    public AcceptedImports? Journal { get; init; }

    /// <summary>The imports ActiveCampaign accepted in this delivery, in order.</summary>
    public IReadOnlyList<AcceptedImport> Accepted => _accepted;

    /// <param name="contacts">The contacts of the import, in its order.</param>
    public async Task AcceptedAsync(AcceptedImport import, IReadOnlyList<OutgoingContact> contacts)
    {
        if (Journal is not null)
        {
            await Journal.AcceptedAsync(import);
        }

        _accepted.Add(import);
        _contactsOf[import.BatchId] = contacts;
        _imported.UnionWith(import.Contacts.Select(c => (c.ProfileId, c.Action, c.Hash)));
    }

    /// <summary>import/info's last word on an accepted import: its contacts' outcomes.</summary>
    public List<ContactOutcome> Completed(AcceptedImport import, CompletedImport completed, int importFailureRetries)
    {
        _completed[import.BatchId] = completed;
        var outcomes = ImportOutcomes.Of(import, completed, importFailureRetries);
        var contacts = _contactsOf[import.BatchId];
        for (var i = 0; i < outcomes.Count; i++)
        {
            _settled[contacts[i]] = outcomes[i];
        }

        return outcomes;
    }

    public void WentOut(IEnumerable<OutgoingContact> contacts) => _wentOut.UnionWith(contacts);

    /// <summary>
    /// The outcome of a contact whose batch failed before the batch's outcomes were all known: its import's, when
    /// import/info answered about it; else <see cref="OutcomeKind.Unconfirmed"/> once a request with it went out
    /// (ActiveCampaign may have applied it), else <see cref="OutcomeKind.Returned"/>.
    /// </summary>
    public ContactOutcome Unanswered(OutgoingContact contact) =>
        _settled.TryGetValue(contact, out var settled) ? settled
        : _wentOut.Contains(contact) ? BatchSender.Unconfirmed(contact)
        : BatchSender.Returned(contact);

    /// <summary>
    /// The delivery as the export journals it: every accepted import with import/info's answer (never confirmed when
    /// it gave none), and the outcomes that did not come from an accepted import, without their reasons: ActiveCampaign's
    /// words may quote an email, and the journal keeps none (a shard replaying a rejection gives a plain reason).
    /// </summary>
    public DeliveredOutcomes Record(IEnumerable<ContactOutcome> outcomes) =>
        new([.. _accepted.Select(i => _completed.TryGetValue(i.BatchId, out var completed) ? completed : CompletedImport.NotConfirmed(i.BatchId))],
            [.. outcomes.Where(o => !_imported.Contains((o.ProfileId, o.Action, o.Hash))).Select(o => o with { Reason = null })]);
}
