using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// An import ActiveCampaign accepted (bulk import answered with its batch id): what turns import/info's answer into
/// the outcomes of its contacts, even after the activation that sent it is gone.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AcceptedImport(
    [property: Id(0)] string BatchId,
    [property: Id(1)] ImportedContact[] Contacts)
{
    public static AcceptedImport Of(string batchId, IReadOnlyList<OutgoingContact> contacts) =>
        new(batchId, [.. contacts.Select(c => new ImportedContact(c.ProfileId, c.Action, c.Hash, null, c.ImportFailures, ImportedContact.EmailKey(c.Data.Email)))]);
}

/// <summary>
/// One contact of an accepted import: its shard is the one <see cref="ProfileHash.Bucket"/> names, as for every outcome.
/// The journal keeps no email: import/info's failed emails are matched by <see cref="EmailKey"/>.
/// </summary>
/// <param name="Email">Only in journals written before <paramref name="EmailHash"/>.</param>
[GenerateSerializer, Immutable]
public sealed record ImportedContact(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ContactAction Action,
    [property: Id(2)] ulong Hash,
    [property: Id(3)] string? Email,
    [property: Id(4)] int ImportFailures,
    [property: Id(5)] ulong EmailHash = 0)
{
    /// <summary>ActiveCampaign compares emails without case (as <see cref="StringComparer.OrdinalIgnoreCase"/> does: upper case).</summary>
    public static ulong EmailKey(string email) => ProfileHash.Of(email.ToUpperInvariant());

    public ulong Key => Email is { } email ? EmailKey(email) : EmailHash;
}

/// <summary>The plain rules of accepted imports: which a journal leaves outstanding, and the outcomes import/info's answer gives.</summary>
public static class ImportOutcomes
{
    /// <summary>What a journal of deliveries holds (entries of several generations may repeat: each import and delivery counts once).</summary>
    public static JournalContents Read(IEnumerable<ShardJournalEntry> entries)
    {
        var accepted = new Dictionary<string, AcceptedImport>(StringComparer.Ordinal);
        var outstanding = new OrderedDictionary<string, AcceptedImport>(StringComparer.Ordinal);
        var deliveries = new SortedDictionary<long, DeliveredOutcomes>();
        foreach (var entry in entries)
        {
            foreach (var import in entry.ImportsAccepted ?? [])
            {
                accepted.TryAdd(import.BatchId, import);
                outstanding.TryAdd(import.BatchId, import);
            }

            foreach (var batchId in entry.ImportsConfirmed ?? [])
            {
                outstanding.Remove(batchId);
            }

            foreach (var delivery in entry.Delivered ?? [])
            {
                deliveries.TryAdd(delivery.Sequence, delivery);
            }
        }

        foreach (var completed in deliveries.Values.SelectMany(d => d.Imports))
        {
            outstanding.Remove(completed.BatchId);
        }

        return new JournalContents([.. outstanding.Values], deliveries, accepted);
    }

    /// <summary>An import journaled before the journal kept hashes only, with its emails turned into <see cref="ImportedContact.EmailKey"/>s.</summary>
    public static AcceptedImport WithoutEmails(AcceptedImport import) =>
        import.Contacts.Any(c => c.Email is not null)
            ? import with { Contacts = [.. import.Contacts.Select(c => c with { Email = null, EmailHash = c.Key })] }
            : import;

    /// <summary>The outcomes of an import's contacts, given import/info's last word on it.</summary>
    public static List<ContactOutcome> Of(AcceptedImport import, CompletedImport completed, int importFailureRetries) =>
        completed.Unconfirmed ? Unconfirmed(import) : Completed(import, completed.FailedEmailKeys, importFailureRetries);

    /// <summary>
    /// import/info says the import was applied: a contact it lists as failed goes back to pending, and is rejected after
    /// <paramref name="importFailureRetries"/> such answers in a row; every other contact was accepted.
    /// </summary>
    public static List<ContactOutcome> Completed(AcceptedImport import, IEnumerable<ulong> failedEmailKeys, int importFailureRetries)
    {
        var failed = failedEmailKeys.ToHashSet();
        return [.. import.Contacts.Select(c =>
            !failed.Contains(c.Key) ? OutcomeOf(c, OutcomeKind.Accepted)
            : c.ImportFailures < importFailureRetries ? OutcomeOf(c, OutcomeKind.FailedInImport)
            : OutcomeOf(c, OutcomeKind.Failed, $"ActiveCampaign listed the contact as failed in import/info {c.ImportFailures + 1} times in a row") with
            {
                RejectionKind = RejectionKind.FailedInImport,
            })];
    }

    /// <summary>import/info never said the import was applied: its contacts go back to pending, as possibly in the account.</summary>
    public static List<ContactOutcome> Unconfirmed(AcceptedImport import) => [.. import.Contacts.Select(c => OutcomeOf(c, OutcomeKind.Unconfirmed))];

    private static ContactOutcome OutcomeOf(ImportedContact contact, OutcomeKind kind, string? reason = null) =>
        new(contact.ProfileId, contact.Action, contact.Hash, kind, reason);
}

/// <summary>A journal of deliveries read back: imports still outstanding, and the deliveries by sequence with the imports they name.</summary>
public sealed record JournalContents(
    IReadOnlyList<AcceptedImport> Outstanding,
    SortedDictionary<long, DeliveredOutcomes> Deliveries,
    IReadOnlyDictionary<string, AcceptedImport> Accepted)
{
    public long LastSequence => Deliveries.Count > 0 ? Deliveries.Keys.Last() : 0;

    /// <summary>The delivery's outcomes: its other outcomes, then each accepted import's (one whose contacts the journal lacks gives none).</summary>
    public List<ContactOutcome> OutcomesOf(DeliveredOutcomes delivery, int importFailureRetries) =>
        [.. delivery.Others, .. delivery.Imports.SelectMany(completed =>
            Accepted.TryGetValue(completed.BatchId, out var import) ? ImportOutcomes.Of(import, completed, importFailureRetries) : [])];

    /// <summary>The accepted imports <paramref name="deliveries"/> name.</summary>
    public IEnumerable<AcceptedImport> ImportsOf(IEnumerable<DeliveredOutcomes> deliveries) =>
        deliveries.SelectMany(d => d.Imports).Select(c => Accepted.GetValueOrDefault(c.BatchId)).OfType<AcceptedImport>();
}
