using System.ComponentModel.DataAnnotations;

namespace OrleansExport.Simulator;

/// <summary>
/// Faults the simulator injects into its <c>/api/3</c> answers, bound from <c>Simulator:Faults</c> and
/// replaceable at run time with <c>POST /_sim/faults</c>. All off by default: the simulator is then faithful.
/// Rates are fractions of requests from 0 to 1, drawn independently per request.
/// </summary>
public sealed class SimulatorFaults
{
    /// <summary>Requests answered 500, 502 or 503 without being processed.</summary>
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; }

    /// <summary>Requests whose connection is dropped before they are processed.</summary>
    [Range(0.0, 1.0)]
    public double DroppedConnectionRate { get; set; }

    /// <summary>Requests that are processed (an import is queued) but whose connection drops before the answer: the client cannot know.</summary>
    [Range(0.0, 1.0)]
    public double LostAnswerRate { get; set; }

    /// <summary>Wall-clock delay added before every request is handled (not divided by the time scale: it is network, not account, time).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan AddedLatency { get; set; }

    /// <summary>
    /// A 429 storm from the moment these faults take effect (start, or <c>POST /_sim/faults</c>): for this long,
    /// in account time (divided by the time scale), every request is answered 429.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ThrottleStormDuration { get; set; }

    /// <summary>The Retry-After a storm's 429 carries, in account time; never past the storm's end.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ThrottleStormRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>import/info</c> requests answered 500 (on top of <see cref="ErrorRate"/>).</summary>
    [Range(0.0, 1.0)]
    public double ImportInfoErrorRate { get; set; }

    /// <summary>Wall-clock delay added to every <c>import/info</c> request (on top of <see cref="AddedLatency"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ImportInfoLatency { get; set; }

    /// <summary>Contacts of an accepted bulk import that are not applied and that import/info lists under "failure".</summary>
    [Range(0.0, 1.0)]
    public double FailedContactRate { get; set; }

    /// <summary>
    /// Requests answered 200 with an HTML login page instead of JSON (how ActiveCampaign has been seen to answer an expired
    /// key), although the key is valid.
    /// </summary>
    [Range(0.0, 1.0)]
    public double LoginPageRate { get; set; }

    /// <summary>
    /// Bulk imports answered with the 400 that ActiveCampaign's bulk-import reference documents for its per-minute limit:
    /// <c>"Rate limit exceeded."</c>, with failure reasons as plain strings that name no contact. Nothing is queued.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ImportRateLimitRate { get; set; }

    /// <summary>Webhook deliveries that are lost: never posted, as ActiveCampaign's deliveries can be.</summary>
    [Range(0.0, 1.0)]
    public double WebhookDropRate { get; set; }

    /// <summary>Wall-clock delay before each webhook delivery is posted: a late delivery.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan WebhookDelay { get; set; }

    /// <summary>Seeds the random draws, for reproducible runs; null draws a seed.</summary>
    public int? Seed { get; set; }
}

/// <summary>How many faults were injected since start or the last <c>/_sim/reset</c>.</summary>
public sealed record FaultCounters(
    long Errors,
    long DroppedConnections,
    long LostAnswers,
    long StormThrottled,
    long ImportInfoErrors,
    long FailedContacts,
    long LoginPages,
    long ImportRateLimits,
    long DroppedWebhooks);

/// <summary>The answer of <c>/_sim/faults</c>: the faults in force, whether a 429 storm is raging, and the counters.</summary>
public sealed record FaultsView(SimulatorFaults Faults, bool ThrottleStormActive, FaultCounters Injected);
