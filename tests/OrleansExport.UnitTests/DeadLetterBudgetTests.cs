using OrleansExport.Grains.DeadLetters;

namespace OrleansExport.UnitTests;

public sealed class DeadLetterBudgetTests
{
    private static DeadLetter Letter(int i, char fill) =>
        new("api", DeadLetterKind.Malformed, $"e{i}" + new string(fill, 250), new string(fill, 256), $"p{i}" + new string(fill, 250), "'segmentId' may hold only ASCII letters", DateTimeOffset.UnixEpoch);

    [Fact]
    public void AThousandLettersWithLongCjkIds_StayWithinTheByteBudget_NewestKept()
    {
        var recent = Enumerable.Range(0, IDeadLetterGrain.MaxKept).Select(i => Letter(i, '漢')).ToList();

        DeadLetterBudget.Trim(recent);

        Assert.True(recent.Sum(DeadLetterBudget.Bytes) <= DeadLetterBudget.MaxKeptBytes);
        Assert.StartsWith($"e{IDeadLetterGrain.MaxKept - 1}", recent[^1].EventId);
        Assert.True(recent.Count >= 100, $"kept {recent.Count}: the budget still holds a useful number of hostile letters");
    }

    [Fact]
    public void ShortLetters_AreBoundByCountAlone()
    {
        var recent = Enumerable.Range(0, 1500).Select(i => new DeadLetter("api", DeadLetterKind.Malformed, $"e{i}", "s", "p", "bad", DateTimeOffset.UnixEpoch)).ToList();

        DeadLetterBudget.Trim(recent);

        Assert.Equal(IDeadLetterGrain.MaxKept, recent.Count);
        Assert.Equal("e500", recent[0].EventId);
    }
}
