using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>The places of Ingest:MaxSegments: exact, and not lost to a crash between the count and the index.</summary>
public sealed class SegmentPlacesTests
{
    [Fact]
    public void RetryAfterTheIndexWriteWasLost_FindsItsPlaceAgain_AndTakesNoSecondOne()
    {
        var state = new SegmentCountState();
        var places = new SegmentPlaces(state);
        Assert.Equal((true, true), places.TryTake("a", maxSegments: 2));

        // The silo died (or the index write failed) before "a" was written to the index: upstream sends its event again.
        Assert.Equal((true, false), places.TryTake("a", maxSegments: 2));

        Assert.Equal(1, state.Count);
        Assert.True(places.TryTake("b", maxSegments: 2).Admitted);
        Assert.False(places.TryTake("c", maxSegments: 2).Admitted);
    }

    [Fact]
    public void TheLastPlace_RetriedAfterACrash_IsStillItsSegments()
    {
        var places = new SegmentPlaces(new SegmentCountState());
        Assert.True(places.TryTake("a", maxSegments: 1).Admitted);

        Assert.True(places.TryTake("a", maxSegments: 1).Admitted);
        Assert.False(places.TryTake("b", maxSegments: 1).Admitted);
    }

    [Fact]
    public void ConfirmedPlaces_StayCounted_AndAreNoLongerHeldByName()
    {
        var state = new SegmentCountState();
        var places = new SegmentPlaces(state);
        places.TryTake("a", maxSegments: 5);

        Assert.True(places.Confirm("a"));
        Assert.False(places.Confirm("a"));

        Assert.Equal(1, state.Count);
        Assert.Empty(state.Unconfirmed!);
    }
}
