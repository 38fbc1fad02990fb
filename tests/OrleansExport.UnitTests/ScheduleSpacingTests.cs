using Cronos;
using OrleansExport.Grains.Runs;

namespace OrleansExport.UnitTests;

public sealed class ScheduleSpacingTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Theory]
    [InlineData("0 * * * *")]
    [InlineData("0 3 * * *")]
    [InlineData("30 2 * * 1")]
    [InlineData("0 0 1 * *")]
    [InlineData("0 0,23 * * *")]
    [InlineData("0 0 30 2 *")]
    public void RunsAtLeastTheMinimumApart_AreFine(string schedule) =>
        Assert.Null(ScheduleSpacing.FirstTooClose(CronExpression.Parse(schedule), Hour));

    [Theory]
    [InlineData("* * * * *", "2024-01-01T00:00", "2024-01-01T00:01")]
    [InlineData("0,45 * * * *", "2024-01-01T00:00", "2024-01-01T00:45")]
    [InlineData("30 23 * * *", null, null)]
    [InlineData("59 23 31 12 *", null, null)]
    [InlineData("30 23,0 * * *", "2024-01-01T23:30", "2024-01-02T00:30")]
    public void TheFirstPairOfRunsTooClose_IsFound_AcrossHoursAndDays(string schedule, string? first, string? second)
    {
        var pair = ScheduleSpacing.FirstTooClose(CronExpression.Parse(schedule), TimeSpan.FromHours(1.5));

        (DateTimeOffset, DateTimeOffset)? expected = first is null ? null : (DateTimeOffset.Parse(first + "Z"), DateTimeOffset.Parse(second + "Z"));
        Assert.Equal(expected, pair);
    }

    [Fact]
    public void RunsTooCloseOnlyAroundALeapDay_AreFound()
    {
        var pair = ScheduleSpacing.FirstTooClose(CronExpression.Parse("0 0,23 1,29 2,3 *"), Hour * 2);

        // Feb 29 23:00 to Mar 1 00:00 exists only in leap years.
        Assert.Equal((new DateTimeOffset(2024, 2, 29, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero)), pair);
    }

    [Fact]
    public void NoMinimum_AcceptsEverySchedule() =>
        Assert.Null(ScheduleSpacing.FirstTooClose(CronExpression.Parse("* * * * *"), TimeSpan.Zero));
}
