using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>Reconciliations read the simulator's list over real HTTP and repair what the export owes, and only that.</summary>
[Collection(SiloCollection.Name)]
public sealed class ReconciliationTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private async Task<JsonElement> ReconcileToEndAsync(string export)
    {
        var started = await fixture.Client().PostAsync($"/api/exports/{export}/reconciliations", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.ReadAsync<JsonElement>()).GetProperty("reconciliationId").GetString();
        JsonElement reconciliation = default;
        await Api.EventuallyAsync(async () =>
        {
            reconciliation = await (await fixture.Client().GetAsync($"/api/exports/{export}/reconciliations/{id}")).ReadAsync<JsonElement>();
            return reconciliation.GetProperty("status").GetString() != "running";
        }, $"reconciliation {id} to finish");
        return reconciliation;
    }

    private async Task<JsonElement> MemberAsync(string export, string profileId) =>
        await (await fixture.Client().GetAsync($"/api/exports/{export}/members/{profileId}")).ReadAsync<JsonElement>();

    [Fact]
    public async Task Reconciliation_BringsBackAMemberDeletedInTheApp_LearnsAnOptOut_AndLeavesAStrangerAlone()
    {
        const string segment = "seg-reconcile";
        var listId = fixture.Simulator.State.NewList("l-reconcile");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        var emails = Enumerable.Range(0, 30).Select(i => $"rec{i}@example.com").ToArray();
        await Api.PostEventsAsync(fixture, emails.Select((email, i) => Api.Joined(segment, $"q{i}", email, T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 30, "30 in sync");

        // 30 contacts go in one bulk import, whose answer does not say which contact id is whose.
        Assert.Equal(JsonValueKind.Null, (await MemberAsync(export, "q5")).GetProperty("contactId").ValueKind);
        fixture.Simulator.State.DeleteInApp(emails[0]);
        fixture.Simulator.State.Unsubscribe(emails[1], listId);
        await Api.AddSubscribedContactAsync(fixture, "stranger@example.com", listId);

        var reconciliation = await ReconcileToEndAsync(export);

        Assert.Equal("succeeded", reconciliation.GetProperty("status").GetString());
        Assert.Equal((30L, 1L, 1L, 1L, 1L), (reconciliation.GetProperty("read").GetInt64(), reconciliation.GetProperty("missing").GetInt64(),
            reconciliation.GetProperty("optedOut").GetInt64(), reconciliation.GetProperty("strangers").GetInt64(), reconciliation.GetProperty("resent").GetInt64()));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Contains(emails[0])), "the deleted member sent again");
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("optedOut").GetInt64() == 1, "one opted out");
        var list = fixture.Simulator.State.GetListContacts(listId);
        Assert.Equal(1, list.Single(c => c.Email == "stranger@example.com").Status);
        Assert.Equal(2, list.Single(c => c.Email == emails[1]).Status);

        // The read taught each member seen its contact id.
        Assert.Equal(list.Single(c => c.Email == emails[5]).Id, (await MemberAsync(export, "q5")).GetProperty("contactId").GetString());

        var history = await (await fixture.Client().GetAsync($"/api/exports/{export}/reconciliations")).ReadAsync<JsonElement>();
        Assert.Equal(reconciliation.GetProperty("reconciliationId").GetString(), history[0].GetProperty("reconciliationId").GetString());
    }

    [Fact]
    public async Task Reconciliation_WhileARunGoes_IsAConflict()
    {
        var listId = fixture.Simulator.State.NewList("l-reconcile-409");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, "seg-reconcile-409", listId, firstRun: false);
        var run = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);

        var refused = await fixture.Client().PostAsync($"/api/exports/{export}/reconciliations", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("reconcile once it has finished", (await refused.ReadAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
