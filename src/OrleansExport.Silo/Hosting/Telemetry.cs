using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansExport.Grains;
using OrleansExport.Silo.Api;

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

    /// <summary>The .NET networking meters, whose instruments tag host names and addresses (<c>server.address</c>, <c>network.peer.address</c>, <c>dns.question.name</c>).</summary>
    private static readonly HashSet<string> NetworkMeters = ["System.Net.Http", "System.Net.NameResolution", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>
    /// The tags the networking meters keep: an allowlist, so a tag a later .NET adds cannot bring a host name
    /// (an account's, and so a customer's) into <c>/metrics</c>.
    /// </summary>
    private static readonly string[] AddressFreeTags =
    [
        "http.request.method", "http.response.status_code", "error.type", "url.scheme", "network.protocol.name",
        "network.protocol.version", "network.transport", "network.type", "http.connection.state", "tls.protocol.version",
        "kestrel.connection.end_reason",
    ];

    public static WebApplicationBuilder AddExportTelemetry(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddActivityPropagation());
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(ExportMetrics.MeterName, OrleansMeter)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddView(instrument => NetworkMeters.Contains(instrument.Meter.Name) ? new MetricStreamConfiguration { TagKeys = AddressFreeTags } : null)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(OrleansActivitySources)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperatorPolling(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddProcessor(new UrlRedactingProcessor()));

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
    /// <c>GET /metrics</c> in the Prometheus text format: counts tagged with export and segment ids, no host
    /// names, nothing secret. No key is needed unless <c>Metrics:RequireKey</c> is true; then a key of role
    /// Admin or Viewer without a segment scope (Prometheus: <c>authorization: credentials: &lt;key&gt;</c>).
    /// </summary>
    public static IEndpointConventionBuilder MapMetrics(this WebApplication app)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics");
        return app.Services.GetRequiredService<HostSettings>().Metrics.RequireKey ? endpoint.RequireAuthorization(Access.Metrics) : endpoint;
    }

    /// <summary>Scrapes, probes and the dashboard's once-a-second polling would drown the traces worth reading.</summary>
    private static bool IsOperatorPolling(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments(OperatorDashboard.RoutePrefix);
}
