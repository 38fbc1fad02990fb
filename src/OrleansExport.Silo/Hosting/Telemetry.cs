using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansExport.Grains;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// OpenTelemetry: the <c>OrleansExport</c> and Orleans meters plus ASP.NET Core and HttpClient metrics, scraped
/// by Prometheus at <c>/metrics</c>; traces of HTTP requests and grain calls (Orleans activity propagation);
/// both, and the logs with their scopes, sent over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "OrleansExport";
    public const string OrleansMeter = "Microsoft.Orleans";
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static WebApplicationBuilder AddExportTelemetry(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddActivityPropagation());
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(ExportMetrics.MeterName, OrleansMeter)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(OrleansActivitySources)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperatorPolling(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c> in the Prometheus text format. Like the health checks it needs no key: it holds counts
    /// tagged with export ids, nothing secret; keep the port off the public internet as for any scrape target.
    /// </summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics");

    /// <summary>Scrapes, probes and the dashboard's once-a-second polling would drown the traces worth reading.</summary>
    private static bool IsOperatorPolling(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments(OperatorDashboard.RoutePrefix);
}
