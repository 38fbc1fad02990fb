using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// The resilience pipelines of <see cref="ActiveCampaignClient"/>. They are two because the
/// rate-limit permit is acquired between them: the retry pipeline wraps permit + send, and the
/// per-attempt timeout wraps the send only, so that a long wait for a permit (a shared, busy
/// account) never counts as a timed-out request.
/// </summary>
public static class ActiveCampaignResilience
{
    /// <summary>Key of the <c>ResiliencePipeline&lt;HttpResponseMessage&gt;</c> that retries transient failures.</summary>
    public const string RetryPipelineKey = "OrleansExport.ActiveCampaign.Retry";

    /// <summary>Key of the <c>ResiliencePipeline</c> that bounds one HTTP attempt.</summary>
    public const string AttemptTimeoutPipelineKey = "OrleansExport.ActiveCampaign.AttemptTimeout";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries 408, 429, 5xx, dropped connections and attempt timeouts with exponential,
    /// jittered backoff; a Retry-After (or X-Retry-After-Ms) on the answer replaces the backoff.
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
                .Handle<HttpRequestException>()
                .Handle<TimeoutRejectedException>()
                .HandleResult(response => IsTransient(response.StatusCode)),
            DelayGenerator = arguments => ValueTask.FromResult(
                arguments.Outcome.Result is { } response ? RetryAfter.Parse(response, timeProvider) : null),
        });
    }

    /// <summary>Bounds one HTTP attempt by <see cref="ActiveCampaignOptions.RequestTimeout"/>.</summary>
    public static ResiliencePipelineBuilder AddActiveCampaignAttemptTimeout(this ResiliencePipelineBuilder builder, ActiveCampaignOptions options) =>
        builder.AddTimeout(options.RequestTimeout);

    internal static bool IsTransient(HttpStatusCode statusCode) =>
        statusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)statusCode >= 500;
}
