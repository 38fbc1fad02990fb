using Microsoft.Extensions.Options;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.Demo;

/// <summary>Section <c>Demo</c> (docs/api.md section 3), read and checked before the host is built from it.</summary>
public sealed class DemoSettings
{
    public const int MaxProfiles = 10_000_000;

    /// <summary>Null: on in Development, off elsewhere.</summary>
    public bool? Enabled { get; set; }

    public int Profiles { get; set; } = 10_000;

    public bool IsEnabled { get; private set; }

    /// <summary>Binds and checks the section; an invalid value throws <see cref="OptionsValidationException"/> naming the key, as the host's own settings do.</summary>
    public static DemoSettings Read(IConfiguration configuration, bool isDevelopment)
    {
        var settings = SettingsBinder.Get<DemoSettings>(configuration.GetSection("Demo"));
        settings.IsEnabled = settings.Enabled ?? isDevelopment;
        if (settings.Profiles is < 1 or > MaxProfiles)
        {
            throw new OptionsValidationException(nameof(DemoSettings), typeof(DemoSettings),
                [$"Demo:Profiles is '{settings.Profiles}'; use a whole number from 1 to {MaxProfiles}."]);
        }

        return settings;
    }
}
