using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Activity;
using OrleansExport.Grains.Delivery;

namespace OrleansExport.UnitTests;

public sealed class ActivityBucketsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Batches_AddUpPerMinute_AndTheWindowHasEveryMinuteOldestFirst()
    {
        var activity = new ActivityBuckets();
        activity.Record(T0.AddSeconds(5), sent: 250, accepted: 248, rejected: 2, imports: 1);
        activity.Record(T0.AddSeconds(50), sent: 250, accepted: 250, rejected: 0, imports: 1);
        activity.Record(T0.AddMinutes(2).AddSeconds(1), sent: 10, accepted: 10, rejected: 0, imports: 1);

        var window = activity.Window(T0.AddMinutes(2).AddSeconds(30), 4);

        Assert.Equal([T0.AddMinutes(-1), T0, T0.AddMinutes(1), T0.AddMinutes(2)], window.Select(b => b.Minute));
        Assert.Equal(new ActivityBucket(T0, 500, 498, 2, 2), window[1]);
        Assert.Equal(new ActivityBucket(T0.AddMinutes(1), 0, 0, 0, 0), window[2]);
        Assert.Equal(10, window[3].Accepted);
    }

    [Fact]
    public void AtMost24HoursOfMinutesAreKept_WhateverHasBeenRecorded()
    {
        var activity = new ActivityBuckets();
        for (var minute = 0; minute < ActivityBuckets.MaxMinutes + 500; minute++)
        {
            activity.Record(T0.AddMinutes(minute), 1, 1, 0, 1);
        }

        Assert.Equal(ActivityBuckets.MaxMinutes, activity.Count);
        var now = T0.AddMinutes(ActivityBuckets.MaxMinutes + 499);
        var day = activity.Window(now, 100_000);
        Assert.Equal(ActivityBuckets.MaxMinutes, day.Count);
        Assert.All(day, bucket => Assert.Equal(1, bucket.Accepted));
    }

    [Fact]
    public void NothingDone_TakesNoRoom()
    {
        var activity = new ActivityBuckets();
        activity.Record(T0, 0, 0, 0, 0);

        Assert.Equal(0, activity.Count);
        Assert.All(activity.Window(T0, 60), bucket => Assert.Equal(0, bucket.Sent));
    }

    [Fact]
    public void TheCeiling_Is100ImportsOf250Contacts_OnTheRealApi_AndFollowsTheTimeScale()
    {
        var real = AccountCeiling.Of(new ActiveCampaignLimits());
        var scaled = AccountCeiling.Of(new ActiveCampaignLimits { TimeScale = 60 });

        Assert.Equal((100, 25_000), (real.ImportsPerMinute, real.ContactsPerMinute));
        Assert.Equal(6000, real.ImportBudget(60));
        Assert.Equal(0.25, real.ShareOf(1500, 60));
        Assert.Equal(1_500_000, scaled.ContactsPerMinute);
    }

    [Fact]
    public void APauseOfItsOwn_IsAnnouncedOnceWhenItStarts_AndOnceWhenDeliveryWorksAgain()
    {
        var watch = new SelfPauseWatch();

        Assert.False(watch.Delivered());
        Assert.True(watch.Paused());
        Assert.False(watch.Paused());
        Assert.True(watch.Delivered());
        Assert.False(watch.Delivered());
    }
}
