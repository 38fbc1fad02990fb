using Microsoft.Extensions.Configuration.Memory;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.Demo;

/// <summary>Adds the demo to the silo's host when <c>Demo:Enabled</c> (by default in Development).</summary>
public sealed class DemoExtension : ISiloExtension
{
    private DemoSettings? _settings;

    public void Configure(WebApplicationBuilder builder)
    {
        _settings = DemoSettings.Read(builder.Configuration, builder.Environment.IsDevelopment());
        if (_settings.IsEnabled)
        {
            AddDemoDefaults(builder.Configuration);
        }
    }

    public void AddServices(WebApplicationBuilder builder)
    {
        if (_settings is { IsEnabled: true } settings)
        {
            builder.Services.AddSingleton(settings);
            builder.Services.AddHostedService<DemoRunner>();
        }
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
}
