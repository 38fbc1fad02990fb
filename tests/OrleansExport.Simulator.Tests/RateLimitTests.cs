using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.Simulator.Tests;

/// <summary>The account's windows over HTTP. A fake clock makes every wait exact; only one test uses the real clock.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task SixthRequestWithinOneSecond_Answers429_UntilTheOldestLeavesTheWindow()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.RequestsPerSecond = 5, time);

        for (int remaining = 4; remaining >= 0; remaining--)
        {
            using var admitted = await sim.Client.GetAsync("api/3/users/me");
            Assert.Equal(200, (int)admitted.StatusCode);
            Assert.Equal("5", TestSimulator.Header(admitted, "RateLimit-Limit"));
            Assert.Equal(remaining.ToString(), TestSimulator.Header(admitted, "RateLimit-Remaining"));
        }

        using var sixth = await sim.Client.GetAsync("api/3/lists/1");
        time.Advance(TimeSpan.FromMilliseconds(999));
        using var stillFull = await sim.Client.GetAsync("api/3/users/me");
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var afterWindow = await sim.Client.GetAsync("api/3/users/me");

        Assert.Equal(429, (int)sixth.StatusCode);
        Assert.Equal("1", TestSimulator.Header(sixth, "Retry-After"));
        Assert.Equal("1000", TestSimulator.Header(sixth, "X-Retry-After-Ms"));
        Assert.Equal("0", TestSimulator.Header(sixth, "RateLimit-Remaining"));
        Assert.Equal(429, (int)stillFull.StatusCode);
        Assert.Equal("1", TestSimulator.Header(stillFull, "X-Retry-After-Ms"));
        Assert.Equal(200, (int)afterWindow.StatusCode);
        Assert.Equal(2, sim.State.GetStats().Throttled429);
    }

    [Fact]
    public async Task SixRequestsFiredAtOnce_OnTheRealClock_SixthAnswers429()
    {
        await using var sim = await TestSimulator.StartAsync(o => o.RequestsPerSecond = 5);

        var responses = new List<HttpResponseMessage>();
        for (int i = 0; i < 6; i++)
        {
            responses.Add(await sim.Client.GetAsync("api/3/users/me"));
        }

        Assert.All(responses.Take(5), r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Equal(429, (int)responses[5].StatusCode);
        int retryAfterMs = int.Parse(TestSimulator.Header(responses[5], "X-Retry-After-Ms"));
        Assert.InRange(retryAfterMs, 1, 1000);
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task HundredAndFirstMultiContactImport_Answers429_ChangesNothing_AndIsAdmittedOnceTheWindowSlides()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(
            o =>
            {
                o.TimeScale = 60; // 100 per minute becomes 100 per second
                o.BulkImportsPerMinute = 100;
                o.SingleContactImportsPerMinute = 20;
            },
            time);

        for (int i = 0; i < 100; i++)
        {
            await sim.ImportAsync(TestSimulator.Contacts(2, prefix: $"batch{i}-"));
        }

        using var throttled = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(2, prefix: "throttled-") });
        string singleStillAdmitted = await sim.ImportAsync(TestSimulator.Contact("single@example.com"));
        time.Advance(TimeSpan.FromSeconds(1));
        string afterWindow = await sim.ImportAsync(TestSimulator.Contacts(2, prefix: "later-"));

        Assert.Equal(429, (int)throttled.StatusCode);
        Assert.Equal("1", TestSimulator.Header(throttled, "Retry-After"));
        Assert.Equal("1000", TestSimulator.Header(throttled, "X-Retry-After-Ms"));
        Assert.Contains("100 per minute", (await TestSimulator.ReadJsonAsync(throttled))["message"]!.GetValue<string>());
        Assert.Equal("completed", (await sim.GetImportInfoAsync(singleStillAdmitted))["status"]!.GetValue<string>());
        Assert.Equal("completed", (await sim.GetImportInfoAsync(afterWindow))["status"]!.GetValue<string>());
        var emails = sim.State.GetListContacts("1").Select(c => c.Email).ToList();
        Assert.Equal(203, emails.Count);
        Assert.DoesNotContain(emails, e => e.StartsWith("throttled-", StringComparison.Ordinal));
        var stats = sim.State.GetStats();
        Assert.Equal(101, stats.BulkImports);
        Assert.Equal(1, stats.SingleContactImports);
        Assert.Equal(1, stats.Throttled429);
    }

    [Fact]
    public async Task TwentyFirstSingleContactImport_Answers429_MultiContactImportsUnaffected()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(o => o.SingleContactImportsPerMinute = 20, time);

        for (int i = 0; i < 20; i++)
        {
            await sim.ImportAsync(TestSimulator.Contact($"single{i}@example.com"));
        }

        using var throttled = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = new[] { TestSimulator.Contact("21st@example.com") } });
        using var multi = await sim.PostJsonAsync("api/3/import/bulk_import", new { contacts = TestSimulator.Contacts(2) });

        Assert.Equal(429, (int)throttled.StatusCode);
        Assert.Equal("60", TestSimulator.Header(throttled, "Retry-After"));
        Assert.Equal("60000", TestSimulator.Header(throttled, "X-Retry-After-Ms"));
        Assert.Equal(200, (int)multi.StatusCode);
        Assert.Equal(22, sim.State.GetListContacts("1").Count);
    }
}
