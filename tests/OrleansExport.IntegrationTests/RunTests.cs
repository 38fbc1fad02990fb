using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>Runs through the control grain: one per export, one per account at a time, snapshots.</summary>
[Collection(SiloCollection.Name)]
public sealed class RunTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private async Task<JsonElement> GetRunAsync(string export, string runId) =>
        await (await fixture.Client().GetAsync($"/api/exports/{export}/runs/{runId}")).ReadAsync<JsonElement>();

    private async Task<string> StartRunAsync(string export)
    {
        var response = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

    private async Task<JsonElement> WaitForEndAsync(string export, string runId)
    {
        JsonElement run = default;
        await Api.EventuallyAsync(async () =>
        {
            run = await GetRunAsync(export, runId);
            return run.GetProperty("status").GetString() is not ("queued" or "running");
        }, $"run {runId} to finish", TimeSpan.FromSeconds(120));
        return run;
    }

    [Fact]
    public async Task TwoExportsOnOneAccount_RunOneAfterTheOther()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var first = await Api.CreateExportAsync(fixture, connection, "seg-queue-a");
        var second = await Api.CreateExportAsync(fixture, connection, "seg-queue-b");
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 600).Select(i => Api.Joined("seg-queue-a", $"qa{i}", $"qa{i}@example.com", T0)));
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 600).Select(i => Api.Joined("seg-queue-b", $"qb{i}", $"qb{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, second)).GetProperty("members").GetInt64() == 600, "members of the second export");

        var firstRun = await StartRunAsync(first);
        var secondRun = await StartRunAsync(second);

        Assert.Equal("queued", (await GetRunAsync(second, secondRun)).GetProperty("status").GetString());
        var a = await WaitForEndAsync(first, firstRun);
        var b = await WaitForEndAsync(second, secondRun);
        Assert.Equal("succeeded", a.GetProperty("status").GetString());
        Assert.Equal("succeeded", b.GetProperty("status").GetString());
        Assert.True(b.GetProperty("startedAt").GetDateTimeOffset() >= a.GetProperty("finishedAt").GetDateTimeOffset(),
            "the second run must start only after the first has finished");
    }

    [Fact]
    public async Task ConcurrentTriggers_NeverStartTwoRunsOfOneExport()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, "seg-overlap");

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fixture.Client().PostAsync($"/api/exports/{export}/runs", null)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(4, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task CancellingAQueuedRun_LetsNothingStartForIt()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var busy = await Api.CreateExportAsync(fixture, connection, "seg-cancel-a");
        var waiting = await Api.CreateExportAsync(fixture, connection, "seg-cancel-b");
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 1000).Select(i => Api.Joined("seg-cancel-a", $"ca{i}", $"ca{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, busy)).GetProperty("members").GetInt64() == 1000, "members");
        var busyRun = await StartRunAsync(busy);
        var waitingRun = await StartRunAsync(waiting);

        var cancelled = await fixture.Client().PostAsync($"/api/exports/{waiting}/runs/{waitingRun}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await WaitForEndAsync(busy, busyRun);
        var run = await GetRunAsync(waiting, waitingRun);
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("startedAt").ValueKind);
    }

    [Fact]
    public async Task MemberMissingFromACompletedSnapshot_IsUnsubscribed()
    {
        const string segment = "seg-snapshot";
        var listId = fixture.Simulator.State.NewList("l-snapshot");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 20).Select(i => Api.Joined(segment, $"sn{i}", $"sn{i}@example.com", T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 20), "20 subscribed");

        // Upstream refreshes the segment: only sn0..sn14 are still in it (their `left` events were lost).
        var snapshot = new List<SegmentEvent> { new("snap-start", segment, "", SegmentEventType.SnapshotStarted, T0.AddHours(1), null, "snap-1") };
        snapshot.AddRange(Enumerable.Range(0, 15).Select(i => Api.Joined(segment, $"sn{i}", $"sn{i}@example.com", T0.AddHours(1).AddSeconds(1)) with { SnapshotId = "snap-1" }));
        snapshot.Add(new("snap-end", segment, "", SegmentEventType.SnapshotCompleted, T0.AddHours(1).AddMinutes(1), null, "snap-1"));
        await Api.PostEventsAsync(fixture, snapshot);

        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 15),
            "the 5 missing members to be unsubscribed", TimeSpan.FromSeconds(20), async () => (await Api.GetExportAsync(fixture, export)).ToString());
        Assert.Equal(15, (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64());
        Assert.Equal(5, fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 2));
    }
}
