using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// An export's guardrails, gathered from its shards: a person's release of the unsubscribes the mass-unsubscribe guard
/// holds (the hold itself is the <see cref="UnsubscribeHoldWatch"/> of its delivery loop), the send preview and one
/// contact's story.
/// </summary>
public sealed partial class ExportGuardrails(string exportId, ExportState state, ExportShardSet shards, DeliveryLoop delivery, ILogger logger)
{
    private readonly ILogger _logger = logger;

    /// <param name="audit">Records the release in the audit trail, once it is saved.</param>
    /// <returns>null once released; else why not.</returns>
    public async Task<OperationError?> ReleaseAsync(string user, Func<Task> audit)
    {
        if (state.Definition is null)
        {
            return new(OperationErrorKind.NotFound, $"Export '{exportId}' does not exist.", null);
        }

        if (await delivery.Unsubscribes.ReleaseAsync() is not { } count)
        {
            return new(OperationErrorKind.Conflict, $"Export '{exportId}' holds no unsubscribes: there is nothing to release.", null);
        }

        await audit();
        delivery.NoteAllOverdue();
        LogReleased(exportId, user, count);
        return null;
    }

    public async Task<SendPreview?> PreviewAsync(bool asRun)
    {
        if (state.Definition is null)
        {
            return null;
        }

        var holding = delivery.Unsubscribes.Holding;
        var previews = await Task.WhenAll(Enumerable.Range(0, shards.Count).Select(i => shards[i].PreviewAsync(asRun, holding)));
        return previews.Aggregate(SendPreview.Empty, (sum, one) => sum.Add(one));
    }

    public Task<MemberStory?> MemberAsync(string profileId) =>
        state.Definition is null ? Task.FromResult<MemberStory?>(null) : shards[ProfileHash.Bucket(profileId, shards.Count)].GetMemberAsync(profileId);

    /// <summary>A scan of every shard (no email index is kept): the newest change wins when profiles share an address.</summary>
    public async Task<MemberStory?> FindByEmailAsync(string email)
    {
        if (state.Definition is null)
        {
            return null;
        }

        var found = await Task.WhenAll(Enumerable.Range(0, shards.Count).Select(i => shards[i].FindMemberByEmailAsync(email)));
        return found.Where(story => story is not null).MaxBy(story => story!.LastChangeAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: {User} released {Count} held unsubscribes")]
    private partial void LogReleased(string exportId, string user, long count);
}
