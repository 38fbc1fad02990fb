namespace OrleansExport;

/// <summary>The audit trail of the whole service (key <see cref="Key"/>): the latest entries, persisted.</summary>
public interface IAuditGrain : IGrainWithStringKey
{
    const string Key = "audit";

    Task RecordAsync(AuditEntry entry);

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> GetAsync(int limit);
}
