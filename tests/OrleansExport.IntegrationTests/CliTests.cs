using System.Text.Json;
using OrleansExport.Cli;

namespace OrleansExport.IntegrationTests;

/// <summary>The admin CLI, called in process with its arguments, against the running silo and simulator.</summary>
[Collection(SiloCollection.Name)]
public sealed class CliTests(SiloFixture fixture)
{
    private const string Segment = "seg-cli";
    private const string ListId = "l-cli";

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
        fixture.Simulator.State.AddList(ListId);
        var connection = Id(await RunAsync("connections", "add", "--name", "CLI account", "--hostname", fixture.Simulator.Hostname, "--data-privacy-consent", "--json"));
        var export = Id(await RunAsync("exports", "add", "--name", "CLI export", "--connection", connection, "--list", ListId, "--segment", Segment,
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
        Assert.True(expected.SetEquals(Api.SubscribedEmails(fixture, ListId)), "the list must hold the 40 valid members");

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

    private static object Event(string profileId, string email) => new
    {
        eventId = $"e-{profileId}",
        segmentId = Segment,
        profileId,
        type = "joined",
        occurredAt = "2026-11-28T12:00:00Z",
        attributes = new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = "Cli", ["Tier"] = "gold" },
    };
}
