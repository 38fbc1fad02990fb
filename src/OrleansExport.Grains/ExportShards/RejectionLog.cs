namespace OrleansExport.Grains.ExportShards;

/// <summary>An export shard's rejections: counted by kind, the newest <see cref="MaxKept"/> kept to show.</summary>
public sealed class RejectionLog(ExportShardState state, TimeProvider time)
{
    public const int MaxKept = 1000;

    public void Record(string profileId, string? email, RejectionKind kind, string reason, bool countAsRejected = true)
    {
        if (countAsRejected)
        {
            state.RejectedTotal++;
        }

        state.RejectionCounts[kind] = state.RejectionCounts.GetValueOrDefault(kind) + 1;

        var rejections = state.RecentRejections;
        if (rejections.Count >= MaxKept)
        {
            rejections.RemoveRange(0, rejections.Count - MaxKept + 1);
        }

        rejections.Add(new Rejection(profileId, email, reason, time.GetUtcNow(), kind));
    }

    /// <summary>Right to erasure: no kept rejection names the profile any more (the counts stay).</summary>
    public void Forget(string profileId) => state.RecentRejections.RemoveAll(r => r.ProfileId == profileId);

    /// <summary>The newest <paramref name="limit"/> kept rejections of <paramref name="kind"/> (or of every kind), <see cref="RejectionGrouping.NewestFirst"/>.</summary>
    public IReadOnlyList<Rejection> Newest(RejectionKind? kind, int limit) =>
        RejectionGrouping.NewestFirst([state.RecentRejections.Where(r => kind is null || r.Kind == kind).Reverse()]).Take(limit).ToList();

    public ShardRejections Summary() =>
        RejectionGrouping.ForShard(state.RecentRejections, state.RejectionCounts, RejectionGrouping.ExamplesPerKind);
}
