namespace OrleansExport.Grains.Delivery;

/// <summary>
/// What one delivery (a batch the loop sent) came to, as the export journals it once for all its shards (group commit):
/// each accepted import's answer, from which its contacts' outcomes follow (<see cref="ImportOutcomes.Of"/>), and the
/// outcomes that came some other way (contact/sync, a bulk 400 naming a contact, a batch that failed before it went out).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeliveredOutcomes(
    [property: Id(0)] CompletedImport[] Imports,
    [property: Id(1)] ContactOutcome[] Others);

/// <summary>
/// import/info's last word on an accepted import: applied, listing <paramref name="FailedEmails"/>, or never confirmed
/// (<paramref name="Unconfirmed"/>: its contacts may be in the account and are sent again).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CompletedImport(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string[] FailedEmails,
    [property: Id(2)] bool Unconfirmed = false)
{
    public static CompletedImport NotConfirmed(string batchId) => new(batchId, [], Unconfirmed: true);
}
