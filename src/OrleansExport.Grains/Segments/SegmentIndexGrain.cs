namespace OrleansExport.Grains.Segments;

[GenerateSerializer]
public sealed class SegmentIndexState
{
    [Id(0)] public SortedSet<string> Segments { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One shard of the segment index (see <see cref="SegmentIndex"/>). A new segment first takes a place of the
/// cluster's count (held by its id), then is written here, then confirms its place: a crash or a failed write between
/// the two never lets one more in, and the segment's retry finds its place again (<see cref="SegmentPlaces"/>).
/// </summary>
public sealed class SegmentIndexGrain([PersistentState("segmentIndex", Constants.ExportStore)] IPersistentState<SegmentIndexState> state)
    : Grain, ISegmentIndexGrain
{
    public async Task<bool> AdmitAsync(string segmentId, int maxSegments)
    {
        if (state.State.Segments.Contains(segmentId))
        {
            return true;
        }

        var count = GrainFactory.GetGrain<ISegmentCountGrain>(ISegmentCountGrain.Key);
        if (!await count.TryTakeAsync(segmentId, maxSegments))
        {
            return false;
        }

        // Registered only once stored: a failed write must not answer the retry "already registered" and vanish on reactivation.
        state.State.Segments.Add(segmentId);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Segments.Remove(segmentId);
            throw;
        }

        await count.ConfirmAsync(segmentId);
        return true;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Segments]);
}

public sealed class SegmentCountGrain([PersistentState("segmentCount", Constants.ExportStore)] IPersistentState<SegmentCountState> state)
    : Grain, ISegmentCountGrain
{
    private SegmentPlaces Places => new(state.State);

    public async Task<bool> TryTakeAsync(string segmentId, int maxSegments)
    {
        var (admitted, changed) = Places.TryTake(segmentId, maxSegments);
        if (changed)
        {
            await state.WriteStateAsync();
        }

        return admitted;
    }

    public async Task ConfirmAsync(string segmentId)
    {
        if (Places.Confirm(segmentId))
        {
            await state.WriteStateAsync();
        }
    }
}
