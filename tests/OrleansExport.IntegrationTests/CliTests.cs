using System.Net;
using System.Text.Json;
using OrleansExport.Cli;

namespace OrleansExport.IntegrationTests;

/// <summary>The admin CLI, called in process with its arguments, against the running silo and simulator.</summary>
[Collection(SiloCollection.Name)]
public sealed class CliTests(SiloFixture fixture)
{
    private const string Segment = "seg-cli";

    private sealed record CliResult(int ExitCode, string Output, string Error);

    private async Task<CliResult> RunWithKeyAsync(string? key, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            [CliApp.UrlVariable] = fixture.BaseAddress.ToString(),
            [CliApp.KeyVariable] = key,
            ["ACTIVECAMPAIGN_API_KEY"] = SiloFixture.SimulatorApiKey,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, CliHost.Plain(output, error, name => environment.GetValueOrDefault(name)));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private Task<CliResult> RunAsync(params string[] args) => RunWithKeyAsync(SiloFixture.AdminKey, args);

    private static string Id(CliResult result)
    {
        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
        return JsonDocument.Parse(result.Output).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task TheCliDrivesAFullFlow_ConnectionExportEventsRunAndRejections()
    {
        var listId = fixture.Simulator.State.NewList("l-cli");
        var connection = Id(await RunAsync("connections", "add", "--name", "CLI account", "--hostname", fixture.Simulator.Hostname, "--data-privacy-consent", "--json"));
        var export = Id(await RunAsync("exports", "add", "--name", "CLI export", "--connection", connection, "--list", listId, "--segment", Segment,
            "--first-name", "FirstName", "--field", "Tier=7", "--tag", "from-cli", "--json"));
        var events = Enumerable.Range(0, 40).Select(i => Event($"cli{i}", $"cli{i}@example.com"))
            .Append(Event("cli-bad-1", "not-an-email")).Append(Event("cli-bad-2", "missing-at.example.com"))
            .Append(new { eventId = "e-broken", segmentId = Segment, type = "joined" });
        var file = Path.Combine(Path.GetTempPath(), $"cli-events-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(events));
        try
        {
            var posted = await RunAsync("events", "post", file);
            Assert.Equal(ExitCodes.Ok, posted.ExitCode);
            Assert.Contains("42 event(s) accepted, 1 rejected.", posted.Output);
            Assert.Contains("#42: ", posted.Output);
        }
        finally
        {
            File.Delete(file);
        }

        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("eventsReceived").GetInt64() == 42, "42 events received");
        var run = await RunAsync("runs", "start", export, "--wait");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.Output + run.Error);
        Assert.Matches(@"Run run-\w+ succeeded in [\d.]+ s: 40 sent, 0 unsubscribed, 0 failed, 0 over the cap\.", run.Output);
        Assert.Matches(@"run-\w+ succeeded: 40/40 sent \(100%\)", run.Output);
        var expected = Enumerable.Range(0, 40).Select(i => $"cli{i}@example.com").ToHashSet();
        Assert.True(expected.SetEquals(Api.SubscribedEmails(fixture, listId)), "the list must hold the 40 valid members");

        var rejections = await RunAsync("rejections", export);
        Assert.Equal(ExitCodes.Ok, rejections.ExitCode);
        Assert.Contains("cli-bad-1", rejections.Output);
        Assert.Contains("cli-bad-2", rejections.Output);
        Assert.Contains("2 rejection(s).", rejections.Output);

        var exports = await RunAsync("exports", "list");
        Assert.Equal(ExitCodes.Ok, exports.ExitCode);
        var row = Assert.Single(exports.Output.Split('\n'), line => line.Contains(export));
        Assert.Contains("succeeded 100%", row);
        Assert.Contains(connection, (await RunAsync("connections", "list")).Output);
        var runs = await RunAsync("runs", "list", export, "--json");
        Assert.Equal("succeeded", JsonDocument.Parse(runs.Output).RootElement[0].GetProperty("status").GetString());

        // A reconciliation: one member deleted in the app is sent again.
        fixture.Simulator.State.DeleteInApp("cli0@example.com");
        var reconciled = await RunAsync("exports", "reconcile", export, "--wait");
        Assert.True(reconciled.ExitCode == ExitCodes.Ok, reconciled.Output + reconciled.Error);
        Assert.Matches(@"Reconciliation rec-\w+ succeeded: 39 read, 1 missing, 1 resent, 0 opted out, 0 strangers\.", reconciled.Output);
        var reconciliations = await RunAsync("exports", "reconciliations", export, "--json");
        Assert.Equal(1, JsonDocument.Parse(reconciliations.Output).RootElement[0].GetProperty("missing").GetInt64());
    }

    [Fact]
    public async Task TheCliListsSegments_AndUpdatesPausesAndResumesAnExport()
    {
        const string segment = "seg-cli-edit";
        var listId = fixture.Simulator.State.NewList("l-cli-edit");
        var posted = await fixture.Client().PostJsonAsync("/api/events", Enumerable.Range(0, 3).Select(i => Event($"edit{i}", $"edit{i}@example.com", segment)));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == 3, "3 members in the segment");

        var connection = Id(await RunAsync("connections", "add", "--name", "CLI edits", "--hostname", fixture.Simulator.Hostname, "--data-privacy-consent", "--json"));
        var export = Id(await RunAsync("exports", "add", "--name", "Before", "--connection", connection, "--list", listId, "--segment", segment,
            "--tag", "t1", "--schedule", "0 2 * * *", "--json"));
        var segments = await RunAsync("segments", "list");
        Assert.Equal(ExitCodes.Ok, segments.ExitCode);
        var row = Assert.Single(segments.Output.Split('\n'), line => line.Contains(segment));
        var cells = row.Split(['│', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([segment, "3"], cells[..2]);
        Assert.Equal(export, cells[^1]);

        // Only what is given changes; the mapping keeps what was not given.
        var updated = await RunAsync("exports", "update", export, "--name", "After", "--first-name", "FirstName", "--tag", "t2", "--no-schedule", "--json");
        Assert.True(updated.ExitCode == ExitCodes.Ok, updated.Error);
        var after = JsonDocument.Parse(updated.Output).RootElement;
        Assert.Equal("After", after.GetProperty("displayName").GetString());
        Assert.Equal(listId, after.GetProperty("listId").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("schedule").ValueKind);
        Assert.Equal("EmailAddress", after.GetProperty("mapping").GetProperty("email").GetString());
        Assert.Equal("FirstName", after.GetProperty("mapping").GetProperty("firstName").GetString());
        Assert.Equal(["t2"], after.GetProperty("mapping").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var change = after.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("updated", change.GetProperty("action").GetString());
        Assert.Equal("alice", change.GetProperty("by").GetString());
        Assert.Equal(["displayName", "mapping", "schedule"], change.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).Order());
        var renamed = await RunAsync("exports", "update", export, "--on-leave", "keep");
        Assert.Contains($"Export {export} updated: onLeave. Nothing is sent before its first run: start it with 'runs start {export}'.", renamed.Output);

        // Paused, it refuses runs; resumed, its first run sends every member with the new mapping.
        var paused = await RunAsync("exports", "pause", export);
        Assert.Equal(ExitCodes.Ok, paused.ExitCode);
        Assert.StartsWith($"Export {export}: ", paused.Output);
        Assert.Contains("alice", paused.Output);
        var refused = await RunAsync("runs", "start", export);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("(409)", refused.Error);
        var resumed = await RunAsync("exports", "resume", export);
        Assert.Equal(ExitCodes.Ok, resumed.ExitCode);
        Assert.Contains($"Export {export}: Nothing is sent before its first run", resumed.Output);
        var run = await RunAsync("runs", "start", export, "--wait");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Output + run.Error);
        var contacts = fixture.Simulator.State.GetListContacts(listId);
        Assert.Equal(["edit0@example.com", "edit1@example.com", "edit2@example.com"], contacts.Where(c => c.Status == 1).Select(c => c.Email).Order());
        Assert.All(contacts, c => Assert.Equal("Cli", c.FirstName));

        var segmentsJson = JsonDocument.Parse((await RunAsync("segments", "list", "--json")).Output).RootElement;
        Assert.Contains(segmentsJson.EnumerateArray(), s => s.GetProperty("segmentId").GetString() == segment && s.GetProperty("members").GetInt64() == 3);
    }

    [Fact]
    public async Task ExportsUpdate_RefusesNothingToChangeAndContradictions()
    {
        var nothing = await RunAsync("exports", "update", "exp-any");
        Assert.Equal(ExitCodes.Usage, nothing.ExitCode);
        Assert.Contains("Nothing to change", nothing.Error);

        var contradiction = await RunAsync("exports", "update", "exp-any", "--schedule", "0 * * * *", "--no-schedule");
        Assert.Equal(ExitCodes.Usage, contradiction.ExitCode);
        Assert.Contains("--schedule and --no-schedule contradict each other", contradiction.Error);

        var unknown = await RunAsync("exports", "update", "exp-does-not-exist", "--name", "x");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("(404)", unknown.Error);

        var viewer = await RunWithKeyAsync(SiloFixture.ViewerKey, "exports", "pause", "exp-any");
        Assert.Equal(ExitCodes.Refused, viewer.ExitCode);
        Assert.Contains("(403)", viewer.Error);
    }

    [Fact]
    public async Task ARefusedRequest_PrintsTheProblemDetailAndExitsWithOne()
    {
        var noConsent = await RunAsync("connections", "add", "--name", "No consent", "--hostname", fixture.Simulator.Hostname);
        Assert.Equal(ExitCodes.Refused, noConsent.ExitCode);
        Assert.Contains("(400)", noConsent.Error);
        Assert.Contains("(field: dataPrivacyConsent)", noConsent.Error);

        var unknown = await RunAsync("runs", "start", "exp-does-not-exist");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("Export 'exp-does-not-exist' does not exist.", unknown.Error);

        var viewer = await RunWithKeyAsync(SiloFixture.ViewerKey, "runs", "start", "exp-any");
        Assert.Equal(ExitCodes.Refused, viewer.ExitCode);
        Assert.Contains("(403)", viewer.Error);

        var wrongKey = await RunWithKeyAsync("not-a-configured-key-at-all", "exports", "list");
        Assert.Equal(ExitCodes.Refused, wrongKey.ExitCode);
        Assert.Contains("(401)", wrongKey.Error);
    }

    [Fact]
    public async Task UsageErrors_ExitWithTwoBeforeCallingTheApi()
    {
        var noKey = await RunWithKeyAsync(key: null, "exports", "list");
        Assert.Equal(ExitCodes.Usage, noKey.ExitCode);
        Assert.Contains("ORLEANSEXPORT_KEY", noKey.Error);

        var typo = await RunAsync("exprots", "list");
        Assert.Equal(ExitCodes.Usage, typo.ExitCode);
        Assert.Contains("exprots", typo.Error);

        var missingFile = await RunAsync("events", "post", "/no/such/file.json");
        Assert.Equal(ExitCodes.Usage, missingFile.ExitCode);
        Assert.Contains("cannot read /no/such/file.json", missingFile.Error);

        var badField = await RunAsync("exports", "add", "--name", "x", "--connection", "c", "--list", "1", "--segment", "s", "--field", "Tier");
        Assert.Equal(ExitCodes.Usage, badField.ExitCode);
        Assert.Contains("--field 'Tier' is not attribute=fieldId", badField.Error);
    }

    private async Task<long> SegmentMembersAsync(string segmentId)
    {
        var response = await fixture.Client().GetAsync($"/api/segments/{segmentId}");
        return response.IsSuccessStatusCode ? (await response.ReadAsync<JsonElement>()).GetProperty("members").GetInt64() : 0;
    }

    private static object Event(string profileId, string email, string segmentId = Segment) => new
    {
        eventId = $"e-{profileId}",
        segmentId,
        profileId,
        type = "joined",
        occurredAt = "2026-11-28T12:00:00Z",
        attributes = new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = "Cli", ["Tier"] = "gold" },
    };

    [Fact]
    public async Task TerminalEscapesInNamesFromTheApi_NeverReachTheTerminal()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = new { displayName = "evil\u001b]0;pwned\u0007\u001b[2J\u009b31m", connectionId = connection, listId = "1", segmentIds = new[] { $"cli-esc-{Guid.NewGuid():N}" }, mapping = new { email = "EmailAddress" } };
        Assert.Equal(System.Net.HttpStatusCode.Created, (await fixture.Client().PostJsonAsync("/api/exports", body)).StatusCode);

        var listed = await RunAsync("exports", "list");

        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        Assert.Contains("evil?]0;pwned??[2J?31m", listed.Output);
        Assert.DoesNotContain('\u001b', listed.Output);
        Assert.DoesNotContain('\u009b', listed.Output);
    }
}
