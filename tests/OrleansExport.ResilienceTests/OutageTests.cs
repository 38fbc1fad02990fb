using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace OrleansExport.ResilienceTests;

/// <summary>The host with every log category at Trace, the Orleans runtime included, and a circuit breaker that opens quickly.</summary>
public sealed class TraceFixture : SiloFixture
{
    protected override LogLevel OrleansLogLevel => LogLevel.Trace;

    protected override IEnumerable<string> ExtraArgs() =>
    [
        "--ActiveCampaign:RetryBaseDelay=00:00:00.050",
        "--ActiveCampaign:CircuitBreaker:MinimumThroughput=4",
        "--ActiveCampaign:CircuitBreaker:BreakDuration=00:00:02",
    ];
}

[CollectionDefinition(Name)]
public sealed class TraceCollection : ICollectionFixture<TraceFixture>
{
    public const string Name = "trace";
}

/// <summary>ActiveCampaign fails every request for a while: the export pauses and says why, loses nothing, and no key reaches a log.</summary>
[Collection(TraceCollection.Name)]
public sealed class OutageTests(TraceFixture fixture)
{
    private const int Profiles = 300;

    [Fact]
    public async Task OpenCircuit_PausesTheExportWithAReason_AndNoContactIsLost()
    {
        var (export, pausedReasons) = await RunThroughAnOutageAsync("circuit");

        Assert.Contains(pausedReasons, reason => reason.Contains("circuit is open", StringComparison.Ordinal) && reason.Contains("Pending contacts are kept", StringComparison.Ordinal));
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal((Profiles, 0L, 0L), (status.GetProperty("inSync").GetInt64(), status.GetProperty("pending").GetInt64(), status.GetProperty("rejected").GetInt64()));
        Assert.Equal(Enumerable.Range(0, Profiles).Select(i => $"circuit-{i}@example.com").ToHashSet(), Api.SubscribedEmails(fixture, status.GetProperty("listId").GetString()!));
    }

    [Fact]
    public async Task ApiKey_AppearsInNoLogLineAtTrace_NorInAnyAnswer_ThroughAFullFlowWithFailures()
    {
        var refused = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: "refused-key-0000000000"));
        await RunThroughAnOutageAsync("secrets");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains(fixture.LogLines, line => line.StartsWith("Trace Orleans", StringComparison.Ordinal));
        Assert.Contains(fixture.LogLines, line => line.Contains("circuit", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains(SiloFixture.SimulatorApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains("refused-key-0000000000", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.ResponseBodies, body => body.Contains(SiloFixture.SimulatorApiKey, StringComparison.Ordinal));
    }

    /// <summary>Exports <see cref="Profiles"/> profiles while every ActiveCampaign request fails, then lets it recover; returns the pause reasons seen.</summary>
    private async Task<(string Export, List<string> PausedReasons)> RunThroughAnOutageAsync(string name)
    {
        var listId = fixture.Simulator.State.NewList($"l-{name}");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, $"seg-{name}", listId);
        using var control = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        var pausedReasons = new List<string>();

        (await control.PostAsJsonAsync("_sim/faults", new { errorRate = 1.0 })).EnsureSuccessStatusCode();
        try
        {
            await Api.PostEventsAsync(fixture, Enumerable.Range(0, Profiles).Select(i => Api.Joined($"seg-{name}", $"{name}-p{i}", $"{name}-{i}@example.com", DateTimeOffset.UtcNow)));
            await Api.EventuallyAsync(async () =>
            {
                if ((await Api.GetExportAsync(fixture, export)).GetProperty("paused").GetString() is { } reason)
                {
                    pausedReasons.Add(reason);
                }

                return pausedReasons.Count > 0;
            }, "the export to pause");
            Assert.Empty(Api.SubscribedEmails(fixture, listId));
        }
        finally
        {
            (await control.DeleteAsync("_sim/faults")).EnsureSuccessStatusCode();
        }

        await Api.EventuallyAsync(async () =>
        {
            var status = await Api.GetExportAsync(fixture, export);
            return status.GetProperty("inSync").GetInt64() == Profiles && status.GetProperty("paused").ValueKind == System.Text.Json.JsonValueKind.Null;
        }, "every contact in sync after the outage", TimeSpan.FromSeconds(90));
        return (export, pausedReasons);
    }
}
