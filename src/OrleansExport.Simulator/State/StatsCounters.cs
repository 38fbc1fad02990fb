namespace OrleansExport.Simulator;

/// <summary>Lock-free counters behind <see cref="SimulatorStats"/>.</summary>
internal sealed class StatsCounters
{
    private enum Slot
    {
        Requests,
        Throttled,
        BulkImports,
        SingleContactImports,
        ContactsImported,
        ContactSyncs,
        ContactListUpdates,
        ImportInfoCalls,
        BadRequests,
        Forbidden,
        FirstImportUtcTicks, // 0: none yet
        LastImportUtcTicks,
        ImportsExcludingAutomations,
        ContactsDeleted,
        Count,
    }

    private readonly long[] _slots = new long[(int)Slot.Count];

    public void Request() => Increment(Slot.Requests);

    public void ContactSync() => Increment(Slot.ContactSyncs);

    public void ContactListUpdate() => Increment(Slot.ContactListUpdates);

    public void ImportInfoCall() => Increment(Slot.ImportInfoCalls);

    public void ContactDelete() => Increment(Slot.ContactsDeleted);

    /// <summary>Counts a finished <c>/api/3</c> answer by its status code.</summary>
    public void Answered(int statusCode)
    {
        switch (statusCode)
        {
            case StatusCodes.Status429TooManyRequests:
                Increment(Slot.Throttled);
                break;
            case StatusCodes.Status403Forbidden:
                Increment(Slot.Forbidden);
                break;
            case >= 400 and < 500:
                Increment(Slot.BadRequests);
                break;
        }
    }

    public void ImportAccepted(int contacts, bool excludeAutomations, DateTimeOffset at)
    {
        Increment(contacts == 1 ? Slot.SingleContactImports : Slot.BulkImports);
        if (excludeAutomations)
        {
            Increment(Slot.ImportsExcludingAutomations);
        }

        Interlocked.Add(ref _slots[(int)Slot.ContactsImported], contacts);

        long ticks = at.UtcTicks;
        Interlocked.CompareExchange(ref _slots[(int)Slot.FirstImportUtcTicks], ticks, 0);
        ref long last = ref _slots[(int)Slot.LastImportUtcTicks];
        long seen;
        while ((seen = Interlocked.Read(ref last)) < ticks && Interlocked.CompareExchange(ref last, ticks, seen) != seen)
        {
        }
    }

    public SimulatorStats Snapshot() => new(
        Read(Slot.Requests),
        Read(Slot.Throttled),
        Read(Slot.BulkImports),
        Read(Slot.SingleContactImports),
        Read(Slot.ContactsImported),
        Read(Slot.ContactSyncs),
        Read(Slot.ContactListUpdates),
        Read(Slot.ImportInfoCalls),
        Read(Slot.BadRequests),
        Read(Slot.Forbidden),
        ReadTime(Slot.FirstImportUtcTicks),
        ReadTime(Slot.LastImportUtcTicks),
        Read(Slot.ImportsExcludingAutomations),
        Read(Slot.ContactsDeleted));

    public void Reset()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], 0);
        }
    }

    private void Increment(Slot slot) => Interlocked.Increment(ref _slots[(int)slot]);

    private long Read(Slot slot) => Interlocked.Read(ref _slots[(int)slot]);

    private DateTimeOffset? ReadTime(Slot slot) => Read(slot) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
}
