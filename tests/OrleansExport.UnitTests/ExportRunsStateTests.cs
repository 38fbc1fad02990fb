using OrleansExport.Grains.Runs;

namespace OrleansExport.UnitTests;

public sealed class ExportRunsStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static RunView Run(string id, RunStatus status) => new(id, status, Now, null, 0, 0, 0, 0, 0, 0, "test", null);

    [Fact]
    public void Save_ReplacesARunById_AndKeepsOnlyTheNewestRuns()
    {
        var state = new ExportRunsState();
        for (var i = 0; i < ExportRunsState.HistoryLength + 5; i++)
        {
            state.Save(Run($"run-{i}", RunStatus.Succeeded));
        }

        state.Save(Run($"run-{ExportRunsState.HistoryLength + 4}", RunStatus.Queued));

        Assert.Equal(ExportRunsState.HistoryLength, state.Runs.Count);
        Assert.Equal("run-5", state.Runs[0].RunId);
        Assert.Equal(RunStatus.Queued, state.CurrentRun()?.Status);
        Assert.Equal(state.Runs[^1], state.CurrentRun());
    }

    [Fact]
    public void LookAtSchedule_FindsTheLatestOccurrenceSinceTheLastLook_Once()
    {
        var state = new ExportRunsState { Schedule = "0 * * * *", ScheduleCheckedUpTo = Now };

        Assert.True(state.TryLookAtSchedule(Now.AddHours(3), out var due));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 6, 0, 0, TimeSpan.Zero), due!.Value); // three missed hours: one run
        Assert.True(state.TryLookAtSchedule(Now.AddHours(3).AddMinutes(1), out var again));
        Assert.Null(again);
        Assert.Equal(Now.AddHours(3).AddMinutes(1), state.ScheduleCheckedUpTo);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a cron")]
    public void LookAtSchedule_WithoutAValidSchedule_ChangesNothing(string? schedule)
    {
        var state = new ExportRunsState { Schedule = schedule, ScheduleCheckedUpTo = Now };

        Assert.False(state.TryLookAtSchedule(Now.AddHours(1), out var due));
        Assert.Null(due);
        Assert.Equal(Now, state.ScheduleCheckedUpTo);
    }
}
