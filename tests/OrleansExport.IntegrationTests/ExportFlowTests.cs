using System.Net;
using System.Text.Json;
using OrleansExport.Demo;

namespace OrleansExport.IntegrationTests;

/// <summary>Events in through the API, the simulator's list out, over real HTTP on loopback.</summary>
[Collection(SiloCollection.Name)]
public sealed class ExportFlowTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private async Task<(string Connection, string Export, string ListId)> NewExportAsync(string segment, long? profileCap = null)
    {
        var listId = fixture.Simulator.State.NewList($"l-{segment}");
        var connection = await Api.CreateConnectionAsync(fixture, profileCap: profileCap);
        return (connection, await Api.CreateExportAsync(fixture, connection, segment, listId), listId);
    }

    private async Task<JsonElement> RunToEndAsync(string export)
    {
        var started = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.ReadAsync<JsonElement>()).GetProperty("runId").GetString();
        JsonElement run = default;
        await Api.EventuallyAsync(async () =>
        {
            run = await (await fixture.Client().GetAsync($"/api/exports/{export}/runs/{runId}")).ReadAsync<JsonElement>();
            return run.GetProperty("status").GetString() is not ("queued" or "running");
        }, $"run {runId} to finish", TimeSpan.FromSeconds(120));
        return run;
    }

    [Fact]
    public async Task DuplicatesStaleUpdatesLeavesRejoinsAndInvalidEmails_EndWithTheListExactlyEqualToMembership()
    {
        const string segment = "seg-churn";
        var (_, export, listId) = await NewExportAsync(segment);
        var throttledBefore = fixture.Simulator.State.GetStats().Throttled429;
        var generated = SegmentEventGenerator.Generate(3000, segment,
            new ChurnOptions(Updates: 0.2, Leaves: 0.1, Rejoins: 0.3, Duplicates: 0.1, LateEvents: 0.05, InvalidEmails: 0.02), seed: 7);

        await Api.PostEventsAsync(fixture, generated.Events);
        await Api.WaitForSegmentEventsAsync(fixture, segment, generated.Events.Count);
        var run = await RunToEndAsync(export);

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var expected = generated.ExpectedEmailsByProfile.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.True(expected.SetEquals(Api.SubscribedEmails(fixture, listId)), "the list must equal the expected membership");
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal(((long)expected.Count, (long)expected.Count, 0L, (long)generated.InvalidEmails),
            (status.GetProperty("members").GetInt64(), status.GetProperty("inSync").GetInt64(), status.GetProperty("pending").GetInt64(), status.GetProperty("rejected").GetInt64()));
        Assert.True(throttledBefore == fixture.Simulator.State.GetStats().Throttled429,
            "ActiveCampaign answered 429: " + string.Join(Environment.NewLine, fixture.LogLines.Where(l => l.Contains("throttled")).Take(5)));

        var rejections = await (await fixture.Client().GetAsync($"/api/exports/{export}/rejections?limit=1000")).ReadAsync<JsonElement>();
        Assert.Equal(generated.InvalidEmails, rejections.GetArrayLength());
        Assert.All(rejections.EnumerateArray(), r => Assert.Contains("not a valid email", r.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task AfterTheFirstRun_ChangesAreDeliveredContinuouslyWithoutAnotherRun()
    {
        const string segment = "seg-continuous";
        var (_, export, listId) = await NewExportAsync(segment);

        // 600 profiles: two full batches go at once, the last 100 after Export:MaxBatchDelay (1 s here).
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 600).Select(i => Api.Joined(segment, $"c{i}", $"c{i}@example.com", T0)));

        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 600), "600 subscribed contacts");
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 600, "600 in sync");
        var runs = await (await fixture.Client().GetAsync($"/api/exports/{export}/runs")).ReadAsync<JsonElement>();
        Assert.Equal(1, runs.GetArrayLength());
    }

    [Fact]
    public async Task LeaveThenRejoin_UnsubscribesThenResubscribesThroughContactLists()
    {
        const string segment = "seg-rejoin";
        var (_, _, listId) = await NewExportAsync(segment);
        var contactListUpdatesBefore = fixture.Simulator.State.GetStats().ContactListUpdates;

        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "r1", "rejoin@example.com", T0)]);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Contains("rejoin@example.com")), "the join");

        await Api.PostEventsAsync(fixture, [Api.Left(segment, "r1", T0.AddMinutes(1))]);
        await Api.EventuallyAsync(() => Task.FromResult(fixture.Simulator.State.GetListContacts(listId).Any(c => c.Email == "rejoin@example.com" && c.Status == 2)), "the unsubscribe");

        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "r1", "rejoin@example.com", T0.AddMinutes(2), first: "Back")]);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Contains("rejoin@example.com")), "the re-subscribe");

        var contact = fixture.Simulator.State.GetListContacts(listId).Single(c => c.Email == "rejoin@example.com");
        Assert.Equal("Back", contact.FirstName);
        Assert.True(fixture.Simulator.State.GetStats().ContactListUpdates > contactListUpdatesBefore);
    }

    [Fact]
    public async Task MembersOverTheConnectionCap_AreSkippedByCapAndNotSent()
    {
        const string segment = "seg-cap";
        var (_, export, listId) = await NewExportAsync(segment, profileCap: 50);

        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 80).Select(i => Api.Joined(segment, $"cap{i}", $"cap{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("eventsReceived").GetInt64() == 80, "every event to be received");
        var run = await RunToEndAsync(export);

        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal(50, status.GetProperty("members").GetInt64());
        Assert.Equal(30, status.GetProperty("skippedByCap").GetInt64());
        Assert.Equal(30, run.GetProperty("skippedByCap").GetInt64());
        Assert.Equal(50, Api.SubscribedEmails(fixture, listId).Count);
        var rejections = await (await fixture.Client().GetAsync($"/api/exports/{export}/rejections")).ReadAsync<JsonElement>();
        Assert.Equal(30, rejections.EnumerateArray().Count(r => r.GetProperty("reason").GetString()!.Contains("cap")));
    }

    [Fact]
    public async Task DeletingTheConnection_StopsItsExportsAndErasesTheCredentials()
    {
        const string segment = "seg-delete";
        var (connection, export, listId) = await NewExportAsync(segment);

        var deleted = await fixture.Client().DeleteAsync($"/api/connections/{connection}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await fixture.Grains.GetGrain<IConnectionGrain>(connection).GetCredentialsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().GetAsync($"/api/connections/{connection}")).StatusCode);
        var status = await Api.GetExportAsync(fixture, export);
        Assert.StartsWith("Stopped", status.GetProperty("paused").GetString());

        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "d1", "deleted@example.com", T0)]);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(Api.SubscribedEmails(fixture, listId));
    }
}
