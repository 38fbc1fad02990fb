using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Accounts;

/// <summary>
/// Paces the ActiveCampaign client through the account's limiter grain, which shares the budget
/// across the cluster by time, then through <see cref="AnsweredRequestWindows"/>, which keeps this
/// silo's own requests within every window whatever delays them on the way (a grant is a time: a
/// timer that fires late or a GC pause turns spaced grants into a burst, and on a short window,
/// 1 s for 5 requests and shorter still under a time scale, a burst is a 429).
/// </summary>
public sealed class GrainRequestPacer(IGrainFactory grains, IOptions<ActiveCampaignOptions> options, TimeProvider time) : IRequestPacer
{
    private readonly AnsweredRequestWindows _windows = new(options.Value.Limits, time);

    public async ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
    {
        // Wait until the reserved instant itself, not for a span measured before the answer travelled back,
        // and off the calling grain's scheduler, so a busy grain cannot hold a request past its slot.
        var at = await grains.GetGrain<IAccountLimiterGrain>(hostname).ReserveAsync((RequestKindCode)kind).ConfigureAwait(false);
        var wait = at - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        await _windows.AcquireAsync(hostname, kind, cancellationToken);
    }

    public void Completed(string hostname, RequestKind kind) => _windows.Completed(hostname, kind);

    public async ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        await grains.GetGrain<IAccountLimiterGrain>(hostname).ReportThrottledAsync(retryAfter).ConfigureAwait(false);
}
