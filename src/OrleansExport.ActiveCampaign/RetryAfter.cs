using System.Globalization;

namespace OrleansExport.ActiveCampaign;

/// <summary>Reads how long the server asked us to wait before the next request.</summary>
public static class RetryAfter
{
    /// <summary>The simulator's millisecond-precision extension of Retry-After.</summary>
    public const string MillisecondsHeader = "X-Retry-After-Ms";

    // Keeps an absurd header value from overflowing TimeSpan.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    /// <summary>
    /// <c>X-Retry-After-Ms</c> when present (finer than whole seconds), else the standard
    /// <c>Retry-After</c> as delta-seconds or HTTP-date; null when neither is usable.
    /// </summary>
    /// <param name="timeProvider">The clock an HTTP-date is compared with when the response has no Date header.</param>
    public static TimeSpan? Parse(HttpResponseMessage response, TimeProvider? timeProvider = null)
    {
        if (response.Headers.TryGetValues(MillisecondsHeader, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && double.IsFinite(milliseconds))
        {
            return TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, LongestWait.TotalMilliseconds));
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => NotNegative(delta),
            // The date is relative to the server's clock, which the Date header tells when present.
            { Date: { } date } => NotNegative(date - (response.Headers.Date ?? (timeProvider ?? TimeProvider.System).GetUtcNow())),
            _ => null,
        };
    }

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
}
