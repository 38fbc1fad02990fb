using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansExport.Simulator.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public void SimulatorSection_IsBound_ConfiguredListsReplaceTheDefaults()
    {
        var options = Resolve(new()
        {
            ["Simulator:ApiKeys:0"] = "configured-key",
            ["Simulator:ListIds:0"] = "7",
            ["Simulator:TimeScale"] = "60",
            ["Simulator:ImportApplyDelay"] = "00:00:01",
        });

        Assert.Equal(["configured-key"], options.ApiKeys);
        Assert.Equal(["7"], options.ListIds);
        Assert.Equal(60, options.TimeScale);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ImportApplyDelay);
        Assert.Equal(5, options.RequestsPerSecond);
    }

    [Fact]
    public void InvalidSetting_FailsValidation()
    {
        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Simulator:RequestsPerSecond"] = "0" }));
    }

    private static SimulatorOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddActiveCampaignSimulator(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SimulatorOptions>>().Value;
    }
}
