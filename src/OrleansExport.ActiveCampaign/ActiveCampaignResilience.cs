using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The resilience pipelines of <see cref="ActiveCampaignClient"/>, outermost first: retry, then the
/// account's circuit breaker (one per host name), then the rate-limit permit, then the per-attempt
/// timeout around the send only, so that a long wait for a permit (a shared, busy account) never
/// counts as a timed-out request, and an open circuit refuses an attempt before it takes a permit.
/// </summary>
public static class ActiveCampaignResilience
{
    /// <summary>Key of the <c>ResiliencePipeline&lt;HttpResponseMessage&gt;</c> that retries transient failures.</summary>
    public const string RetryPipelineKey = "OrleansExport.ActiveCampaign.Retry";

    /// <summary>Key of the <c>ResiliencePipeline</c> that bounds one HTTP attempt.</summary>
    public const string AttemptTimeoutPipelineKey = "OrleansExport.ActiveCampaign.AttemptTimeout";

    /// <summary>Prefix of the keys of the per-account circuit breakers; the normalized host name follows.</summary>
    public const string CircuitPipelineKeyPrefix = "OrleansExport.ActiveCampaign.Circuit/";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries 408, 429, the bulk-import 400 "Rate limit exceeded." (<see cref="ActiveCampaignThrottledException"/>), 5xx,
    /// dropped connections and attempt timeouts with exponential backoff and
    /// decorrelated jitter (Polly's exponential-with-jitter is the "decorrelated jitter V2" curve);
    /// a Retry-After (or X-Retry-After-Ms) on the answer replaces the backoff. An open circuit
    /// (<see cref="BrokenCircuitException"/>) and a refused address are not retried.
    /// </summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddActiveCampaignRetry(
        this ResiliencePipelineBuilder<HttpResponseMessage> builder, ActiveCampaignOptions options, TimeProvider timeProvider)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return builder;
        }

        return builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            MaxDelay = MaxBackoff,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>(IsTransient)
                .Handle<TimeoutRejectedException>()
                .Handle<ActiveCampaignThrottledException>()
                .HandleResult(response => IsTransient(response.StatusCode)),
            DelayGenerator = arguments => ValueTask.FromResult(
                arguments.Outcome.Result is { } response ? RetryAfter.Parse(response, timeProvider) : null),
        });
    }

    /// <summary>
    /// Opens the circuit of one account when <see cref="ActiveCampaignCircuitOptions.FailureRatio"/> of its
    /// attempts fail (5xx, 408, timeouts, dropped connections); 429 is left to the pacer and the retry.
    /// </summary>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddActiveCampaignCircuitBreaker(
        this ResiliencePipelineBuilder<HttpResponseMessage> builder, ActiveCampaignCircuitOptions options) =>
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>(IsTransient)
                .Handle<TimeoutRejectedException>()
                .HandleResult(response => response.StatusCode != HttpStatusCode.TooManyRequests && IsTransient(response.StatusCode)),
        });

    /// <summary>Bounds one HTTP attempt by <see cref="ActiveCampaignOptions.RequestTimeout"/>.</summary>
    public static ResiliencePipelineBuilder AddActiveCampaignAttemptTimeout(this ResiliencePipelineBuilder builder, ActiveCampaignOptions options) =>
        builder.AddTimeout(options.RequestTimeout);

    // A refused address stays refused: retrying it would only try the same forbidden host again.
    private static bool IsTransient(HttpRequestException exception) => exception.InnerException is not HostAddressRefusedException;

    internal static bool IsTransient(HttpStatusCode statusCode) =>
        statusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)statusCode >= 500;
}
