using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// What every <c>/api/3</c> request goes through: the <c>Api-Token</c> check (403) and the account's
/// requests-per-second window (429), plus the <c>RateLimit-*</c> headers and the answer counters.
/// </summary>
/// <remarks>
/// The <c>RateLimit-*</c> headers always describe the requests-per-second window, the one ActiveCampaign documents them
/// for; a 429 from a bulk import window says which window in its message and <c>Retry-After</c>.
/// </remarks>
internal sealed class AccountGate(SimulatorState state)
{
    private readonly string _requestLimit = state.Windows.Requests.Limit.ToString(CultureInfo.InvariantCulture);

    public RequestDelegate Guard(RequestDelegate endpoint) => async context =>
    {
        state.Stats.Request();
        await GuardedAsync(context, endpoint);
        state.Stats.Answered(context.Response.StatusCode);
    };

    private async Task GuardedAsync(HttpContext context, RequestDelegate endpoint)
    {
        if (!state.IsValidApiKey(context.Request.Headers["Api-Token"]))
        {
            // Real ActiveCampaign answers an unknown key with 403 and a "No Result found" message.
            await context.WriteMessageAsync(StatusCodes.Status403Forbidden, "No Result found for Subscriber with id 0");
            return;
        }

        var decision = state.Windows.Requests.TryAcquire();
        context.Response.Headers["RateLimit-Limit"] = _requestLimit;
        context.Response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        if (!decision.Admitted)
        {
            await context.WriteThrottledAsync(decision.RetryAfter, $"Too many requests: at most {state.Options.RequestsPerSecond} per second.");
            return;
        }

        await endpoint(context);
    }
}
