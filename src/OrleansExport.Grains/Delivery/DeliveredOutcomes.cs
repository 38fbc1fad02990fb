namespace OrleansExport.Grains.Delivery;

/// <summary>
/// What one delivery (a batch the loop sent) came to, as the export journals it once for all its shards (group commit):
/// each accepted import's answer, from which its contacts' outcomes follow (<see cref="ImportOutcomes.Of"/>), and the
/// outcomes that came some other way (contact/sync, a bulk 400 naming a contact, a batch that failed before it went out).
/// </summary>
/// <param name="Sequence">
/// The delivery's number in its export's journal, growing across generations: a shard keeps which it holds
/// (<see cref="ExportShards.DeliveryWatermark"/>), so that none is applied twice nor one the shard's snapshot holds replayed.
/// </param>
[GenerateSerializer, Immutable]
public sealed record DeliveredOutcomes(
    [property: Id(0)] CompletedImport[] Imports,
    [property: Id(1)] ContactOutcome[] Others,
    [property: Id(2)] long Sequence = 0);

/// <summary>
/// import/info's last word on an accepted import: applied, listing failed emails (kept as <see cref="ImportedContact.EmailKey"/>
/// only: the journal holds no email), or never confirmed (<paramref name="Unconfirmed"/>: its contacts may be in the account
/// and are sent again).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CompletedImport(
    [property: Id(0)] string BatchId,
    [property: Id(1)] ulong[] FailedEmailKeys,
    [property: Id(2)] bool Unconfirmed = false)
{
    /// <summary>Only the failed emails that are the import's own contacts are kept (import/info may list any number).</summary>
    public static CompletedImport Of(AcceptedImport import, IEnumerable<string> failedEmails)
    {
        var failed = failedEmails.Select(ImportedContact.EmailKey).ToHashSet();
        return new(import.BatchId, [.. import.Contacts.Select(c => c.Key).Where(failed.Contains).Distinct()]);
    }

    public static CompletedImport NotConfirmed(string batchId) => new(batchId, [], Unconfirmed: true);
}
