using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Alerts;
using OrleansExport.Grains.Runs;

namespace OrleansExport.UnitTests;

public sealed class RunProgressRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RunView Run(RunStatus status = RunStatus.Running) => new("run-1", status, Now, null, 0, 0, 0, 0, 0, 0, "test", null);

    private static RunProgress Progress(long total = 1_000, long remaining = 0, long sent = 0, long unsubscribed = 0, long failed = 0, long held = 0) =>
        new(Known: true, Done: remaining == 0, total, remaining, sent, unsubscribed, failed, SkippedByCap: 0, Error: null, held);

    [Theory]
    [InlineData(10, 0, 0, 0, RunStatus.Succeeded)]
    [InlineData(10, 0, 1, 0, RunStatus.PartiallySucceeded)]
    [InlineData(0, 3, 1, 0, RunStatus.PartiallySucceeded)]
    [InlineData(0, 0, 0, 2, RunStatus.PartiallySucceeded)]
    [InlineData(0, 0, 4, 0, RunStatus.Failed)]
    [InlineData(0, 0, 4, 2, RunStatus.Failed)]
    public void Outcome_SucceedsOnlyWithNothingFailedOrHeld_AndFailsOnlyWhenNothingWent(long sent, long unsubscribed, long failed, long held, RunStatus expected) =>
        Assert.Equal(expected, RunProgressRules.Outcome(Progress(sent: sent, unsubscribed: unsubscribed, failed: failed, held: held)));

    [Fact]
    public void Observed_TakesTheCounters_TheShareDone_AndAnEndAtTheAccountsImportPace()
    {
        var limits = new ActiveCampaignLimits { MaxContactsPerImport = 250, BulkImportsPerMinute = 100, TimeScale = 1 };

        var run = RunProgressRules.Observed(Run(), Progress(total: 1_000, remaining: 250, sent: 700, failed: 50), limits, Now);

        Assert.Equal((1_000L, 700L, 50L), (run.Total, run.Sent, run.Failed));
        Assert.Equal(0.75, run.Progress);
        Assert.Equal(Now + TimeSpan.FromMinutes(0.01), run.Eta); // 250 contacts: one import of the 100 a minute
    }

    [Fact]
    public void Observed_AnEmptyRun_IsDone() =>
        Assert.Equal(1, RunProgressRules.Observed(Run(), Progress(total: 0), new ActiveCampaignLimits(), Now).Progress);

    [Fact]
    public void Alert_SaysWhyTheRunFailed_OrHowManyContactsWereRejected()
    {
        var failed = RunProgressRules.Alert(Run(status: RunStatus.Failed) with { Error = "list gone" }, "e1", "Export 1", Now);
        var partly = RunProgressRules.Alert(Run(status: RunStatus.PartiallySucceeded) with { Total = 9, Failed = 2 }, "e1", "Export 1", Now);

        Assert.Equal((AlertEvents.RunFailed, "list gone"), (failed.Event, failed.Reason));
        Assert.Equal((AlertEvents.RunPartiallySucceeded, "2 of 9 contacts were rejected; see the export's rejections."), (partly.Event, partly.Reason));
    }
}
