using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansExport.Grains;
using OrleansExport.Silo.Api;
using OrleansExport.Silo.Demo;

namespace OrleansExport.Silo.Hosting;

/// <summary>Builds the silo host: Orleans silo, HTTP API and, in the embedded default, the demo.</summary>
public static class SiloApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = HostSettings.Read(builder.Configuration, builder.Environment.IsDevelopment());
        OrleansSetup.HideProfileKeysFromOrleans(builder.Configuration);
        if (settings.DemoEnabled)
        {
            AddDemoDefaults(builder.Configuration);
        }

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
        if (settings.DemoEnabled)
        {
            builder.Services.AddHostedService<DemoRunner>();
        }

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebConsole();
        app.UseAuthentication();
        app.UseApiRateLimit();
        app.UseAuthorization();
        app.MapApiDocs();
        app.MapMetrics();
        app.MapOperatorDashboard();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        app.MapConnectionsApi();
        app.MapExportsApi();
        app.MapEventsApi();
        app.MapSegmentsApi();
        app.MapMeApi();
        app.MapDeadLettersApi();
        app.MapAuditApi();
        app.MapActivityApi();
        return app;
    }

    /// <summary>The demo talks to the in-process simulator on loopback and should show delivery quickly.</summary>
    private static void AddDemoDefaults(ConfigurationManager configuration)
    {
        // Inserted first so that anything the user configured still wins.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["ActiveCampaign:AllowInsecureLoopback"] = "true",
                ["Export:MaxBatchDelay"] = "00:00:05",
            },
        });
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

/// <summary>Ready once this silo has joined its cluster and answers grain calls.</summary>
public sealed class ClusterReadyCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListConnectionsAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy($"The cluster does not answer yet: {exception.GetType().Name}");
        }
    }
}
