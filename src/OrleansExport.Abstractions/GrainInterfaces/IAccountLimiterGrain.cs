namespace OrleansExport;

/// <summary>The shared rate budget of one ActiveCampaign account (key: hostname).</summary>
public interface IAccountLimiterGrain : IGrainWithStringKey
{
    /// <summary>Reserves the earliest slot that keeps every limit in every sliding window; returns when it is.</summary>
    Task<DateTimeOffset> ReserveAsync(RequestKindCode kind);

    Task ReportThrottledAsync(TimeSpan retryAfter);
}
