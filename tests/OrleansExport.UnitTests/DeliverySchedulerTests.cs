using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.Delivery;

namespace OrleansExport.UnitTests;

public sealed class DeliverySchedulerTests
{
    private static readonly TimeSpan MaxBatchDelay = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private DeliveryScheduler Scheduler(int shards = 4) => new(shards, maxContactsPerImport: 250, MaxBatchDelay, _time);

    private static OutgoingContact Contact(int shard, int i) =>
        new($"s{shard}-{i}", ContactAction.Upsert, new ContactData($"s{shard}-{i}@example.com", null, null, null, []), 1, false, false);

    /// <summary>Shards holding the given numbers of pending contacts, handing them out as asked.</summary>
    private static Func<int, int, Task<OutgoingContact[]?>> Shards(params int[] pending)
    {
        var handedOut = new int[pending.Length];
        return (shard, max) =>
        {
            var take = Math.Min(max, pending[shard] - handedOut[shard]);
            var contacts = Enumerable.Range(handedOut[shard], take).Select(i => Contact(shard, i)).ToArray();
            handedOut[shard] += take;
            return Task.FromResult<OutgoingContact[]?>(contacts);
        };
    }

    [Fact]
    public void AFewPendingContacts_WaitForAFullerBatch_UntilJustBeforeTheMaxBatchDelay()
    {
        var scheduler = Scheduler();
        scheduler.NoteShardPending(0, 10);

        Assert.False(scheduler.IsBatchDue(runActive: false));
        _time.Advance(MaxBatchDelay * 0.8);
        Assert.False(scheduler.IsBatchDue(runActive: false));
        _time.Advance(MaxBatchDelay * 0.1);
        Assert.True(scheduler.IsBatchDue(runActive: false));
    }

    [Fact]
    public void AFullImportsWorth_OrARun_IsDueAtOnce()
    {
        var full = Scheduler();
        full.NoteShardPending(0, 200);
        full.NoteShardPending(3, 50);
        var run = Scheduler();
        run.NoteShardPending(1, 1);

        Assert.True(full.IsBatchDue(runActive: false));
        Assert.True(run.IsBatchDue(runActive: true));
        Assert.False(Scheduler().IsBatchDue(runActive: true));
    }

    [Fact]
    public async Task Collect_FillsOneImport_FromEveryShardThatHasContacts()
    {
        var scheduler = Scheduler();
        var shards = Shards(100, 0, 300, 20);
        foreach (var shard in new[] { 0, 2, 3 })
        {
            scheduler.NoteShardPending(shard, 1);
        }

        var batch = await scheduler.CollectAsync(shards);

        Assert.Equal(250, batch.Count);
        Assert.Equal(250, batch.Select(c => c.ProfileId).Distinct().Count());
        Assert.Equal(20, batch.Count(c => c.ProfileId.StartsWith("s3-", StringComparison.Ordinal)));
        Assert.Contains(batch, c => c.ProfileId.StartsWith("s0-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AShardThatDoesNotAnswer_IsAskedAgainNextTime_AndTheOthersStillSend()
    {
        var scheduler = Scheduler(2);
        scheduler.NoteShardPending(0, 5);
        scheduler.NoteShardPending(1, 5);
        var answering = false;

        var first = await scheduler.CollectAsync((shard, max) => Task.FromResult<OutgoingContact[]?>(
            shard == 1 && !answering ? null : Enumerable.Range(0, Math.Min(max, 5)).Select(i => Contact(shard, i)).ToArray()));
        answering = true;
        var second = await scheduler.CollectAsync(Shards(0, 5));

        Assert.All(first, c => Assert.StartsWith("s0-", c.ProfileId));
        Assert.Equal(5, second.Count);
        Assert.All(second, c => Assert.StartsWith("s1-", c.ProfileId));
    }

    [Fact]
    public async Task AnEmptyCollect_StopsTheClock_UntilTheNextPendingContact()
    {
        var scheduler = Scheduler();
        scheduler.NoteOverdue(2);
        Assert.True(scheduler.IsBatchDue(runActive: false));

        Assert.Empty(await scheduler.CollectAsync(Shards(0, 0, 0, 0)));

        Assert.False(scheduler.IsBatchDue(runActive: false));
        _time.Advance(MaxBatchDelay * 2);
        Assert.False(scheduler.IsBatchDue(runActive: false));
    }
}
