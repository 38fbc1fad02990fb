using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Loses steps between grains for the export it is armed for: every one-way "has pending" its shards send it, and the
/// next <c>ClearAsync</c> of its shard 1 (once).
/// </summary>
public sealed class LoseStepsFilter : IIncomingGrainCallFilter
{
    private string? _dropPendingNoticesOf;
    private string? _failShardClearOf;

    public void DropPendingNoticesOf(string exportId) => Volatile.Write(ref _dropPendingNoticesOf, exportId);

    public void FailNextShardClearOf(string exportId) => Volatile.Write(ref _failShardClearOf, exportId);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var target = context.TargetId.Key.ToString();
        if (context.InterfaceMethod.Name == nameof(IExportGrain.ShardHasPendingAsync) && target == Volatile.Read(ref _dropPendingNoticesOf))
        {
            // One-way: the shard never learns that the notice was lost.
            return Task.CompletedTask;
        }

        if (context.InterfaceMethod.Name == nameof(IExportShardGrain.ClearAsync) && Volatile.Read(ref _failShardClearOf) is { } export
            && target == $"{export}/1" && Interlocked.CompareExchange(ref _failShardClearOf, null, export) == export)
        {
            throw new InvalidOperationException("injected: shard clear failed");
        }

        return context.Invoke();
    }
}

/// <summary>A host that loses steps (<see cref="LoseStepsFilter"/>) and polls idle shards every second.</summary>
public sealed class LostStepFixture : SiloFixture
{
    public LoseStepsFilter Filter { get; } = new();

    protected override IEnumerable<string> ExtraArgs() => ["--Export:PendingPollInterval=00:00:01"];

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(Filter);
}

/// <remarks>A host of its own: it runs after the parallel collections (see <see cref="WebhookCollection"/>).</remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LostStepCollection : ICollectionFixture<LostStepFixture>
{
    public const string Name = "lost steps";
}

/// <summary>A step lost between two grains is noticed and finished within a bound, without anyone asking again.</summary>
[Collection(LostStepCollection.Name)]
public sealed class LostStepTests(LostStepFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task LostHasPendingNotices_TheJoinIsDeliveredAnyway_ByTheIdleShardPoll()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var list = fixture.Simulator.State.NewList("lost-pending-notice");
        var export = await Api.CreateExportAsync(fixture, connection, "seg-lost-notice", list);
        fixture.Filter.DropPendingNoticesOf(export);

        await Api.PostEventsAsync(fixture, [Api.Joined("seg-lost-notice", "ln-1", "ln-1@example.com", T0)]);

        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, list).Contains("ln-1@example.com")),
            "the join to reach the list although its shard's notice was lost", TimeSpan.FromSeconds(45),
            async () => string.Join(", ", await Task.WhenAll(Enumerable.Range(0, 4).Select(i => fixture.Grains.GetGrain<IExportShardGrain>($"{export}/{i}").GetPendingAsync())))
                + " pending in its shards; members: " + (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64());
    }

    [Fact]
    public async Task DeleteFailingOnOneShard_IsAnsweredWithAnError_StopsTheExport_AndFinishesByItself()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var list = fixture.Simulator.State.NewList("failed-delete");
        var export = await Api.CreateExportAsync(fixture, connection, "seg-failed-delete", list);

        fixture.Filter.FailNextShardClearOf(export);
        var failed = await fixture.Client().DeleteAsync($"/api/exports/{export}");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

        // Neither half deleted and still editable, nor left so: it says it is being deleted, refuses changes, and is gone
        // soon after without a retried DELETE.
        var during = await fixture.Client().GetAsync($"/api/exports/{export}");
        if (during.StatusCode == HttpStatusCode.OK)
        {
            Assert.StartsWith("Being deleted", (await during.ReadAsync<JsonElement>()).GetProperty("paused").GetString());
            var patch = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { displayName = "renamed while deleting" });
            Assert.Contains(patch.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.NotFound });
        }

        await Api.EventuallyAsync(async () => (await fixture.Client().GetAsync($"/api/exports/{export}")).StatusCode == HttpStatusCode.NotFound,
            "the deletion to finish by itself", TimeSpan.FromSeconds(30));
        var exports = await (await fixture.Client().GetAsync("/api/exports")).ReadAsync<JsonElement>();
        Assert.DoesNotContain(exports.EnumerateArray(), e => e.GetProperty("id").GetString() == export);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);
    }

    [Fact]
    public async Task DeleteFailingOnOneShard_RetriedAtOnce_Answers204_AndTheExportIsGone()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, "seg-retried-delete", fixture.Simulator.State.NewList("retried-delete"));

        fixture.Filter.FailNextShardClearOf(export);
        Assert.Equal(HttpStatusCode.InternalServerError, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().GetAsync($"/api/exports/{export}")).StatusCode);
    }
}
