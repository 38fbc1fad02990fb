using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansExport.LoadTests;

/// <summary>
/// The yardstick for ingest: the same events, in the same messages, on a memory stream whose subscriber only
/// counts them. What segment state costs on top of the runtime is the ratio of the two rates.
/// </summary>
public interface IBareStreamCounterGrain : IGrainWithStringKey
{
    Task<long> GetCountAsync();
}

[ImplicitStreamSubscription(Namespace)]
public sealed class BareStreamCounterGrain : Grain, IBareStreamCounterGrain, IAsyncBatchObserver<SegmentEvent>, IStreamSubscriptionObserver
{
    public const string Namespace = "loadtest-bare";

    private long _count;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<SegmentEvent>().ResumeAsync(this);

    public Task OnNextAsync(IList<SequentialItem<SegmentEvent>> items)
    {
        _count += items.Count;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<long> GetCountAsync() => Task.FromResult(_count);
}
