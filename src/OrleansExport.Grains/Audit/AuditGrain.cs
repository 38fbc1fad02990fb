namespace OrleansExport.Grains.Audit;

/// <summary>
/// Keeps the latest <see cref="MaxKept"/> audit entries. People's actions are rare, so every entry is written at once:
/// an action the API answered is in the trail even if the silo stops right after.
/// </summary>
public sealed class AuditGrain([PersistentState("audit", Constants.ExportStore)] IPersistentState<AuditState> state) : Grain, IAuditGrain
{
    public const int MaxKept = 1000;

    public async Task RecordAsync(AuditEntry entry)
    {
        var entries = state.State.Entries;
        entries.Add(entry);
        if (entries.Count > MaxKept)
        {
            entries.RemoveRange(0, entries.Count - MaxKept);
        }

        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<AuditEntry>> GetAsync(int limit)
    {
        var entries = state.State.Entries;
        IReadOnlyList<AuditEntry> newest = entries.Skip(Math.Max(0, entries.Count - limit)).Reverse().ToList();
        return Task.FromResult(newest);
    }
}
