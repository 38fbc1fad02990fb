using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansExport.LoadTests.Targets;
using OrleansExport.Silo.Api;

namespace OrleansExport.LoadTests;

/// <summary>
/// The yardstick for ingest: the same events, split into the same messages as <see cref="SegmentEventPublisher"/>
/// does, published as plain Orleans stream batches (one serialized object per event) on a memory stream whose
/// subscriber only counts them. What segment state costs on top of the runtime is the ratio of the two rates.
/// </summary>
internal sealed class BareStreamSink(IClusterClient client) : IEventSink
{
    public async Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken)
    {
        var provider = client.GetStreamProvider(Constants.StreamProvider);
        await Task.WhenAll(events.GroupBy(e => e.SegmentId, StringComparer.Ordinal).Select(async segment =>
        {
            var stream = provider.GetStream<SegmentEvent>(StreamId.Create(BareStreamCounterGrain.Namespace, segment.Key));
            foreach (var message in SegmentEventPublisher.Messages(segment))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await stream.OnNextBatchAsync(message);
            }
        }));
    }
}

/// <summary>Counts what reaches it, nothing else.</summary>
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
