namespace OrleansExport;

/// <summary>
/// The dead-letter view of the whole service (key <see cref="Key"/>): every way in (the HTTP ingest
/// endpoint, the Event Hubs adapter) records here the events it could not apply. Keeps counters
/// and a bounded ring of the latest entries.
/// </summary>
public interface IDeadLetterGrain : IGrainWithStringKey
{
    const string Key = "deadletters";

    /// <summary>How many dead letters the grain keeps, and the most one <see cref="RecordAsync"/> may carry.</summary>
    const int MaxKept = 1000;

    Task RecordAsync(DeadLetterBatch batch);

    Task<DeadLetterSummary> GetAsync(int limit);

    /// <summary>Right to erasure: drops the kept dead letters of these profiles (counts stay) and writes the state at once.</summary>
    Task ForgetProfilesAsync(IReadOnlyList<string> profileIds);
}
