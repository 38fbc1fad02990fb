using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Accounts;

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

