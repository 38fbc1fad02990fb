using OrleansExport.Grains.Durability;

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
        new(batchId, [.. contacts.Select(c => new ImportedContact(c.ProfileId, c.Action, c.Hash, c.Data.Email, c.ImportFailures))]);
}

/// <summary>One contact of an accepted import: its shard is the one <see cref="ProfileHash.Bucket"/> names, as for every outcome.</summary>
[GenerateSerializer, Immutable]
public sealed record ImportedContact(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] ContactAction Action,
    [property: Id(2)] ulong Hash,
    [property: Id(3)] string Email,
    [property: Id(4)] int ImportFailures);

/// <summary>The plain rules of accepted imports: which a journal leaves outstanding, and the outcomes import/info's answer gives.</summary>
public static class ImportOutcomes
{
    /// <summary>Imports journaled as accepted and not as confirmed, in the order they were accepted (each once).</summary>
    public static IReadOnlyList<AcceptedImport> Outstanding(IEnumerable<ShardJournalEntry> entries)
    {
        var outstanding = new OrderedDictionary<string, AcceptedImport>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var import in entry.ImportsAccepted ?? [])
            {
                outstanding.TryAdd(import.BatchId, import);
            }

            foreach (var batchId in entry.ImportsConfirmed ?? [])
            {
                outstanding.Remove(batchId);
            }
        }

        return [.. outstanding.Values];
    }

    /// <summary>
    /// import/info says the import was applied: a contact it lists as failed goes back to pending, and is rejected after
    /// <paramref name="importFailureRetries"/> such answers in a row; every other contact was accepted.
    /// </summary>
    public static List<ContactOutcome> Completed(AcceptedImport import, IEnumerable<string> failedEmails, int importFailureRetries)
    {
        var failed = new HashSet<string>(failedEmails, StringComparer.OrdinalIgnoreCase);
        return [.. import.Contacts.Select(c =>
            !failed.Contains(c.Email) ? Of(c, OutcomeKind.Accepted)
            : c.ImportFailures < importFailureRetries ? Of(c, OutcomeKind.FailedInImport)
            : Of(c, OutcomeKind.Failed, $"ActiveCampaign listed the contact as failed in import/info {c.ImportFailures + 1} times in a row") with
            {
                RejectionKind = RejectionKind.FailedInImport,
            })];
    }

    /// <summary>import/info never said the import was applied: its contacts go back to pending, as possibly in the account.</summary>
    public static List<ContactOutcome> Unconfirmed(AcceptedImport import) => [.. import.Contacts.Select(c => Of(c, OutcomeKind.Unconfirmed))];

    private static ContactOutcome Of(ImportedContact contact, OutcomeKind kind, string? reason = null) =>
        new(contact.ProfileId, contact.Action, contact.Hash, kind, reason);
}
