using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class RetryAfterTests
{
    [Fact]
    public void MillisecondsExtension_IsPreferredOverRetryAfter()
    {
        using var response = Throttled();
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
        response.Headers.Add(RetryAfter.MillisecondsHeader, "1250");

        Assert.Equal(TimeSpan.FromMilliseconds(1250), RetryAfter.Parse(response));
    }

    [Fact]
    public void DeltaSeconds_AreRead()
    {
        using var response = Throttled();
        response.Headers.TryAddWithoutValidation("Retry-After", "7");

        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Parse(response));
    }

    [Fact]
    public void HttpDate_IsRelativeToTheServersDateHeader()
    {
        using var response = Throttled();
        response.Headers.TryAddWithoutValidation("Date", "Sat, 28 Nov 2026 21:00:00 GMT");
        response.Headers.TryAddWithoutValidation("Retry-After", "Sat, 28 Nov 2026 21:00:05 GMT");

        Assert.Equal(TimeSpan.FromSeconds(5), RetryAfter.Parse(response));
    }

    [Fact]
    public void HttpDate_WithoutDateHeader_IsRelativeToTheClock()
    {
        using var response = Throttled();
        response.Headers.TryAddWithoutValidation("Retry-After", "Sat, 28 Nov 2026 21:00:05 GMT");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 21, 0, 2, TimeSpan.Zero));

        Assert.Equal(TimeSpan.FromSeconds(3), RetryAfter.Parse(response, clock));
    }

    [Fact]
    public void DateInThePast_MeansNoWait()
    {
        using var response = Throttled();
        response.Headers.TryAddWithoutValidation("Date", "Sat, 28 Nov 2026 21:00:10 GMT");
        response.Headers.TryAddWithoutValidation("Retry-After", "Sat, 28 Nov 2026 21:00:05 GMT");

        Assert.Equal(TimeSpan.Zero, RetryAfter.Parse(response));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("soon", null)]
    [InlineData(null, "abc")]
    public void MissingOrUnreadableHeaders_GiveNull(string? retryAfter, string? milliseconds)
    {
        using var response = Throttled();
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (milliseconds is not null)
        {
            response.Headers.TryAddWithoutValidation(RetryAfter.MillisecondsHeader, milliseconds);
        }

        Assert.Null(RetryAfter.Parse(response));
    }

    private static HttpResponseMessage Throttled() => new(HttpStatusCode.TooManyRequests);
}
