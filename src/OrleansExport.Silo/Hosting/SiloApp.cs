using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansExport.Grains;
using OrleansExport.Silo.Api;

namespace OrleansExport.Silo.Hosting;

/// <summary>Builds and runs the silo host: Orleans silo, HTTP API and web console.</summary>
public static class SiloApp
{
    /// <summary>
    /// Builds the host, starts it and serves until shutdown: 0 then; 2 with one line on stderr when a setting is
    /// invalid, 1 when it cannot start otherwise. <paramref name="started"/> runs once it listens.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, ISiloExtension? extension = null, Action<WebApplication>? started = null)
    {
        try
        {
            await using var app = Build(args, extension: extension);
            try
            {
                await app.StartAsync();
            }
            catch (Exception exception) when (exception is not OptionsValidationException)
            {
                // The host has logged the details; the operator gets one line and a non-zero exit.
                Console.Error.WriteLine($"OrleansExport cannot start: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
                return 1;
            }

            started?.Invoke(app);
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (OptionsValidationException exception)
        {
            // Every setting is checked by a validator: one clear line, no stack trace; the operator fixes it and starts again.
            Console.Error.WriteLine($"OrleansExport cannot start: {string.Join(" ", exception.Failures)}");
            return 2;
        }
    }

    /// <summary>
    /// Builds the host. <paramref name="configure"/> sees the builder first (tests capture logs with it), then
    /// <paramref name="extension"/> adds to it before and after the host's own registrations.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, ISiloExtension? extension = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        extension?.Configure(builder);
        var settings = HostSettings.Read(builder.Configuration, builder.Environment.IsDevelopment());
        OrleansSetup.HideProfileKeysFromOrleans(builder.Configuration);

        var (apiKeys, generatedAdminKey) = ApiKeyConfiguration.Read(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(apiKeys));
        builder.Services.AddSingleton(new StartupNotice(generatedAdminKey));
        builder.Services.AddOrleansExportGrains(builder.Configuration);
        builder.Services.AddProfileServices(settings);
        builder.UseOrleans(silo => silo.AddOrleansExport(settings));
        builder.AddExportTelemetry();
        builder.AddOperatorDashboard();

        AddHttpApi(builder.Services);
        builder.Services.AddApiHardening();
        builder.Services.AddHostedService<StartupNoticePrinter>();
        extension?.AddServices(builder);

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebConsole();
        app.UseAuthentication();
        app.UseApiRateLimit();
        app.UseAuthorization();
        app.UseDashboardGrainStateGuard();
        app.MapApiDocs();
        app.MapMetrics();
        app.MapOperatorDashboard();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapConnectionsApi();
        app.MapExportsApi();
        app.MapReconciliationsApi();
        app.MapActiveCampaignWebhooksApi();
        app.MapEventsApi();
        app.MapSegmentsApi();
        app.MapMeApi();
        app.MapDeadLettersApi();
        app.MapAuditApi();
        app.MapActivityApi();
        return app;
    }

    private static void AddHttpApi(IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAccessPolicies();
        services.AddApiDocs();
        services.AddHealthChecks().AddCheck<ClusterReadyCheck>("cluster");
    }
}

/// <summary>
/// Ready once this silo is an active member of its cluster, as its own membership view says: a read of memory, no
/// grain call, so a flood of probes costs the cluster nothing (and the probe is rate-limited like any call).
/// </summary>
public sealed class ClusterReadyCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"This silo has not joined its cluster yet ({status})."));
    }
}
