namespace OrleansExport.Grains.Segments;

[GenerateSerializer]
public sealed class SegmentIndexState
{
    [Id(0)] public SortedSet<string> Segments { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One shard of the segment index (see <see cref="SegmentIndex"/>). A new segment first takes a place of the
/// cluster's count, then is written here: a crash between the two costs one place, never lets one more in.
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

        if (!await GrainFactory.GetGrain<ISegmentCountGrain>(ISegmentCountGrain.Key).TryTakeAsync(maxSegments))
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

        return true;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Segments]);
}

[GenerateSerializer]
public sealed class SegmentCountState
{
    [Id(0)] public int Count { get; set; }
}

public sealed class SegmentCountGrain([PersistentState("segmentCount", Constants.ExportStore)] IPersistentState<SegmentCountState> state)
    : Grain, ISegmentCountGrain
{
    public async Task<bool> TryTakeAsync(int maxSegments)
    {
        if (state.State.Count >= maxSegments)
        {
            return false;
        }

        state.State.Count++;
        await state.WriteStateAsync();
        return true;
    }
}
