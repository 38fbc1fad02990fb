using System.Collections.Concurrent;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Per-process pacing that no delay between here and the server can break: each sliding window of
/// an account is <c>limit</c> slots, and a request holds its slot from before it is sent until one
/// window after its answer came back.
/// </summary>
/// <remarks>
/// The server counts a request at some moment between its send and its answer. If limit + 1
/// requests were counted within one window, each would still hold its slot at the end of that
/// window, which the slots forbid; so this process can never cause a 429, however late a timer
/// fires or however long a GC pause holds requests back. Time-based schedules cannot promise that
/// (a grant is a time, and a late send turns spaced grants into a burst). The price is the
/// answer's latency added to each slot's cycle, e.g. 60 s + 0.3 s per multi-contact import slot.
/// </remarks>
public sealed class AnsweredRequestWindows(ActiveCampaignLimits limits, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Account> accounts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a free slot in every window that a request of <paramref name="kind"/> counts against.</summary>
    public async ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
    {
        var account = For(hostname);
        var imports = account.ImportsFor(kind);
        if (imports is not null)
        {
            // The scarcer slot first, so that a waiting import never sits on a request slot.
            await imports.Slots.WaitAsync(first: true, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // An import holds its import slot while it waits here, so it goes before other requests:
            // a wait here would stretch the import window's cycle and cost import budget.
            await account.Requests.Slots.WaitAsync(first: imports is not null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            imports?.Slots.Release();
            throw;
        }
    }

    /// <summary>The request acquired for <paramref name="kind"/> was answered (or failed): its slots free up one window from now.</summary>
    public void Completed(string hostname, RequestKind kind)
    {
        var account = For(hostname);
        _ = account.Requests.ReleaseAfterWindowAsync(timeProvider);
        _ = account.ImportsFor(kind)?.ReleaseAfterWindowAsync(timeProvider);
    }

    private Account For(string hostname) => accounts.GetOrAdd(hostname, _ => new Account(limits));

    private sealed class Account(ActiveCampaignLimits limits)
    {
        public Window Requests { get; } = new("requests", limits.RequestsPerSecond, TimeSpan.FromSeconds(1), limits.TimeScale);

        private Window MultiImports { get; } = new("imports", limits.BulkImportsPerMinute, TimeSpan.FromMinutes(1), limits.TimeScale);

        private Window SingleImports { get; } = new("singleImports", limits.SingleContactImportsPerMinute, TimeSpan.FromMinutes(1), limits.TimeScale);

        public Window? ImportsFor(RequestKind kind) => kind switch
        {
            RequestKind.BulkImportMulti => MultiImports,
            RequestKind.BulkImportSingle => SingleImports,
            _ => null,
        };
    }

    private sealed class Window(string name, int limit, TimeSpan length, double timeScale)
    {
        private readonly TimeSpan length = length / timeScale;

        public SlotGate Slots { get; } = new(limit);

        public async Task ReleaseAfterWindowAsync(TimeProvider timeProvider)
        {
            // Timers count coarse milliseconds and may fire a little early: check against the precise clock.
            var answeredAt = timeProvider.GetTimestamp();
            for (var left = length; left > TimeSpan.Zero; left = length - timeProvider.GetElapsedTime(answeredAt))
            {
                await Task.Delay(left + TimeSpan.FromMilliseconds(1), timeProvider).ConfigureAwait(false);
            }

            ActiveCampaignMetrics.RecordSlotOverhold(name, timeProvider.GetElapsedTime(answeredAt) - length);
            Slots.Release();
        }
    }

    /// <summary>A semaphore whose waiters marked first are served before the others, each group in arrival order.</summary>
    private sealed class SlotGate(int slots)
    {
        private readonly Lock gate = new();
        private readonly Queue<TaskCompletionSource> firstWaiters = new();
        private readonly Queue<TaskCompletionSource> otherWaiters = new();
        private int free = slots;

        public async ValueTask WaitAsync(bool first, CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (gate)
            {
                if (free > 0)
                {
                    free--;
                    return;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (first ? firstWaiters : otherWaiters).Enqueue(waiter);
            }

            // A cancelled waiter stays queued; Release skips it.
            using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }

        public void Release()
        {
            lock (gate)
            {
                while (firstWaiters.TryDequeue(out var waiter) || otherWaiters.TryDequeue(out waiter))
                {
                    if (waiter.TrySetResult())
                    {
                        return;
                    }
                }

                free++;
            }
        }
    }
}
