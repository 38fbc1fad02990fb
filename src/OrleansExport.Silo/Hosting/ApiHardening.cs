using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansExport.Silo.Api;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// What keeps the HTTP API standing under misuse: errors as problem+json without internals, a rate
/// limit per API key, the ingest limits, the dead-letter view and the security headers of every answer.
/// </summary>
public static class ApiHardening
{
    public static IServiceCollection AddApiHardening(this IServiceCollection services)
    {
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiRateLimitOptions>, ApiRateLimitOptionsValidator>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiRateLimitOptions>>((limiter, settings) => Configure(limiter, settings.Value));
        return services;
    }

    /// <summary>
    /// Headers on every answer, whoever sends it (the console's files, <c>/docs</c>, <c>/dashboard</c>, problems,
    /// 401s, 429s): no content sniffing, no framing by another site (against clickjacking of the console and the
    /// dashboard), and HSTS on requests that came over TLS. Goes first, so that every later answer carries them.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // At the start of the response: the exception handler clears headers set before it ran.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                headers.XFrameOptions = "DENY";
                if (context.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = "max-age=31536000";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });

    /// <summary>Rate-limits every call; goes after authentication (the partition is the key) and before authorization (so failed keys count).</summary>
    public static IApplicationBuilder UseApiRateLimit(this IApplicationBuilder app) => app.UseRateLimiter();

    private static void Configure(RateLimiterOptions limiter, ApiRateLimitOptions settings)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            // Liveness is exempt (an orchestrator must never restart a silo for being busy); readiness is a call like any other.
            if (!settings.Enabled || context.Request.Path.StartsWithSegments("/health/live"))
            {
                return RateLimitPartition.GetNoLimiter("exempt");
            }

            var partition = context.User.FindFirst(Access.KeyIdClaim)?.Value ?? "address:" + context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.Burst,
                TokensPerPeriod = settings.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var context = rejected.HttpContext;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This API key sent more than {settings.RequestsPerSecond} requests per second (bursts up to {settings.Burst}); retry after {seconds} s.", null)
                .ExecuteAsync(context);
        };
    }
}
