using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>
/// What every <c>/api/3</c> request goes through: the <c>Api-Token</c> check (403 for an unknown key, a 200 HTML
/// login page for a revoked one), the injected faults
/// (<see cref="SimulatorFaults"/>) and the account's requests-per-second window (429), plus the
/// <c>RateLimit-*</c> headers and the answer counters.
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
        if (state.Faults.Faults.AddedLatency is { Ticks: > 0 } latency)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        switch (state.CheckApiKey(context.Request.Headers["Api-Token"]))
        {
            case ApiKeyStatus.Unknown:
                // Real ActiveCampaign answers an unknown key with 403 and a "No Result found" message.
                await context.WriteMessageAsync(StatusCodes.Status403Forbidden, "No Result found for Subscriber with id 0");
                return;
            case ApiKeyStatus.Revoked:
                await context.WriteLoginPageAsync();
                return;
        }

        var (fault, status, retryAfter) = state.Faults.Draw();
        switch (fault)
        {
            case FaultKind.Error:
                await context.WriteMessageAsync(status, "Injected fault: the server failed.");
                return;
            case FaultKind.DropConnection:
                context.Abort();
                return;
            case FaultKind.LoginPage:
                await context.WriteLoginPageAsync();
                return;
            case FaultKind.Throttle:
                await context.WriteThrottledAsync(retryAfter, "Too many requests (injected 429 storm).");
                return;
            case FaultKind.LoseAnswer:
                // Processed for real, but the answer goes nowhere and the connection drops.
                context.Response.Body = Stream.Null;
                await RateLimitedAsync(context, endpoint);
                context.Abort();
                return;
        }

        await RateLimitedAsync(context, endpoint);
    }

    private async Task RateLimitedAsync(HttpContext context, RequestDelegate endpoint)
    {
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
