using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansExport.Simulator;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// A person's unsubscribe is final: people act on the simulator's list (a campaign's link, a user in the app, a hard
/// bounce) and OrleansExport, over real HTTP, never sets those contacts back to subscribed.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class OptOutTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private async Task<(string Export, string ListId)> NewExportAsync(string segment)
    {
        var listId = fixture.Simulator.State.NewList($"l-{segment}");
        var connection = await Api.CreateConnectionAsync(fixture);
        return (await Api.CreateExportAsync(fixture, connection, segment, listId), listId);
    }

    private int StatusOf(string listId, string email) =>
        fixture.Simulator.State.GetListContacts(listId).Single(c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase)).Status;

    private Task UntilSettledAsync(string export, long members, long optedOut) =>
        Api.EventuallyAsync(async () =>
        {
            var status = await Api.GetExportAsync(fixture, export);
            return status.GetProperty("members").GetInt64() == members && status.GetProperty("optedOut").GetInt64() == optedOut
                && status.GetProperty("pending").GetInt64() == 0;
        }, $"{members} members, {optedOut} opted out, none pending", describe: async () => (await Api.GetExportAsync(fixture, export)).ToString());

    [Fact]
    public async Task UnsubscribedByLinkByUserOrBounced_ThenLeaveAndRejoin_StaysUnsubscribed()
    {
        const string segment = "seg-optout-people";
        var (export, listId) = await NewExportAsync(segment);
        string[] emails = ["link@example.com", "user@example.com", "bounce@example.com"];
        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"p{i}", email, T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 3), "3 subscribed");

        fixture.Simulator.State.Unsubscribe(emails[0], listId);
        fixture.Simulator.State.Unsubscribe(emails[1], listId, byUser: true);
        fixture.Simulator.State.Bounce(emails[2], listId);

        // Three contacts go through the contact API (one contact/sync each), where the status is read before any change.
        var syncsBefore = fixture.Simulator.State.GetStats().ContactSyncs;
        await Api.PostEventsAsync(fixture, emails.Select((_, i) => Api.Left(segment, $"p{i}", T0.AddMinutes(1))));
        await Api.EventuallyAsync(() => Task.FromResult(fixture.Simulator.State.GetStats().ContactSyncs >= syncsBefore + 3), "the leaves to be sent");
        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"p{i}", email, T0.AddMinutes(2), first: "Back")));
        await UntilSettledAsync(export, members: 3, optedOut: 3);

        Assert.Equal([2, 2, 3], emails.Select(email => StatusOf(listId, email)));
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal(0, status.GetProperty("inSync").GetInt64());
    }

    [Fact]
    public async Task BouncedWithNoWebhookToTellIt_ThenAllLeaveInABulkImportAndRejoin_StaysBounced_AndIsOptedOut()
    {
        const string segment = "seg-optout-sweep";
        var (export, listId) = await NewExportAsync(segment);
        var emails = Enumerable.Range(0, 20).Select(i => $"sweep{i}@example.com").ToArray();
        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"s{i}", email, T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 20), "20 subscribed");

        // No webhook is registered (the fixture sets no WebhookBaseUrl): OrleansExport is not told of the bounce.
        Assert.Equal(PersonActionOutcome.Done, fixture.Simulator.State.Bounce(emails[4], listId));

        // All leave together: one bulk import unsubscribes them, with no contact/sync (that path reads the status first).
        var before = fixture.Simulator.State.GetStats();
        await Api.PostEventsAsync(fixture, emails.Select((_, i) => Api.Left(segment, $"s{i}", T0.AddMinutes(1))));
        await Api.EventuallyAsync(async () =>
            fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 2) >= 19
            && (await Api.GetExportAsync(fixture, export)).GetProperty("pending").GetInt64() == 0, "the leaves to be sent");
        var after = fixture.Simulator.State.GetStats();
        Assert.True(after.BulkImports > before.BulkImports, "the unsubscribes went as a bulk import");
        Assert.Equal(before.ContactSyncs, after.ContactSyncs);
        Assert.Equal(3, StatusOf(listId, emails[4]));

        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"s{i}", email, T0.AddMinutes(2), first: "Back")));
        await UntilSettledAsync(export, members: 20, optedOut: 1);

        Assert.Equal(3, StatusOf(listId, emails[4]));
        Assert.All(emails.Where((_, i) => i != 4), email => Assert.Equal(1, StatusOf(listId, email)));
        var member = await (await fixture.Client().GetAsync($"/api/exports/{export}/members/s4")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("optedOut", member.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ContactAlreadyUnsubscribedOnTheList_JoiningInASmallBatch_StaysUnsubscribed()
    {
        const string segment = "seg-optout-before";
        var (export, listId) = await NewExportAsync(segment);
        await Api.AddSubscribedContactAsync(fixture, "before@example.com", listId);
        fixture.Simulator.State.Unsubscribe("before@example.com", listId);

        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "b1", "before@example.com", T0), Api.Joined(segment, "b2", "fresh@example.com", T0)]);
        await UntilSettledAsync(export, members: 2, optedOut: 1);

        Assert.Equal(2, StatusOf(listId, "before@example.com"));
        Assert.Equal(1, StatusOf(listId, "fresh@example.com"));
    }

    [Fact]
    public async Task FullRunAndListChange_LeaveOptedOutContactsAlone()
    {
        const string segment = "seg-optout-run";
        var (export, listId) = await NewExportAsync(segment);
        var emails = Enumerable.Range(0, 30).Select(i => $"run{i}@example.com").ToArray();
        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"r{i}", email, T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 30), "30 subscribed");
        fixture.Simulator.State.Unsubscribe(emails[0], listId);
        fixture.Simulator.State.Bounce(emails[1], listId);

        var run = await Api.RunToEndAsync(fixture, export);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal((2, 3), (StatusOf(listId, emails[0]), StatusOf(listId, emails[1])));

        // The person is unsubscribed from the new list too: opt-outs are per list, and this one counts now.
        var newList = fixture.Simulator.State.NewList("l-optout-run-2");
        await Api.AddSubscribedContactAsync(fixture, emails[2], newList);
        fixture.Simulator.State.Unsubscribe(emails[2], newList);
        var patched = await fixture.Client().PatchAsync($"/api/exports/{export}", System.Net.Http.Json.JsonContent.Create(new { listId = newList }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, newList).Count == 29), "29 subscribed on the new list");

        Assert.Equal(2, StatusOf(newList, emails[2]));
        Assert.Equal((2, 3), (StatusOf(listId, emails[0]), StatusOf(listId, emails[1])));
        Assert.Equal(1, StatusOf(newList, emails[0]));
    }
}
