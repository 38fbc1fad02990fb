using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains;

/// <summary>
/// One per ActiveCampaign account (keyed by hostname), so every export and connection to that
/// account shares one budget; grants are first come first served, which shares it fairly.
/// </summary>
public sealed class AccountLimiterGrain(IOptions<ActiveCampaignOptions> options, TimeProvider time) : Grain, IAccountLimiterGrain
{
    private readonly PermitSchedule _schedule = new(options.Value.Limits);

    public Task<DateTimeOffset> ReserveAsync(RequestKindCode kind) =>
        Task.FromResult(_schedule.Reserve((RequestKind)kind, time.GetUtcNow()));

    public Task ReportThrottledAsync(TimeSpan retryAfter)
    {
        _schedule.PauseUntil(time.GetUtcNow() + retryAfter);
        return Task.CompletedTask;
    }
}

/// <summary>Paces the ActiveCampaign client through the account's limiter grain.</summary>
public sealed class GrainRequestPacer(IGrainFactory grains, TimeProvider time) : IRequestPacer
{
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
    }

    public async ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        await grains.GetGrain<IAccountLimiterGrain>(hostname).ReportThrottledAsync(retryAfter).ConfigureAwait(false);
}
