using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrleansExport.Demo;

namespace OrleansExport.ProductionTests;

/// <summary>The demo is a host of its own (src/OrleansExport.Demo); the production host only says where it went.</summary>
public sealed class DemoHostTests
{
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Demo_InDevelopment_RunsUntilTheSimulatorsListIsInStep()
    {
        await using var demo = await SiloProcess.StartAsync("demo", new Dictionary<string, string?> { ["Demo:Profiles"] = "300" }.WithFreePorts(),
            RepositoryPaths.DemoAssembly, "Development");

        await Eventually.UntilAsync(() => Task.FromResult(demo.Output.Contains("Demo: the list is in step:")), "the demo's list in step", DemoTimeout,
            () => Task.FromResult(demo.Output));
        Assert.Contains("Demo: ActiveCampaign simulator on http://127.0.0.1:", demo.Output);
        Assert.DoesNotContain("This host runs no demo", demo.Output);

        // Then one contact unsubscribes by link, and OrleansExport notices and leaves it alone.
        await Eventually.UntilAsync(() => Task.FromResult(demo.Output.Contains("Demo: OrleansExport noticed:")), "the demo's opt-out noticed", DemoTimeout,
            () => Task.FromResult(demo.Output));
        Assert.Matches(@"found 1 opted out\. \S+@\S+ is opted out \(export optedOut 1\) and will be left alone", demo.Output);
    }

    [Fact]
    public async Task Silo_InDevelopment_RunsNoDemo_AndSaysInOneLineWhereItIs()
    {
        await using var silo = await SiloProcess.StartAsync("silo", new Dictionary<string, string?>().WithFreePorts(), RepositoryPaths.SiloAssembly, "Development");

        await Eventually.UntilAsync(() => Task.FromResult(silo.Output.Contains("dotnet run --project src/OrleansExport.Demo")), "the pointer to the demo",
            describe: () => Task.FromResult(silo.Output));
        Assert.Single(silo.Output.Split('\n'), line => line.Contains("OrleansExport.Demo"));
        Assert.DoesNotContain("Demo: ", silo.Output);
    }

    [Fact]
    public async Task Demo_WithAnInvalidProfileCount_ExitsWithTwoAndOneLine()
    {
        var (exitCode, stderr) = await SiloProcess.RunToExitAsync(new Dictionary<string, string?> { ["Demo:Enabled"] = "true", ["Demo:Profiles"] = "0" },
            TimeSpan.FromSeconds(60), RepositoryPaths.DemoAssembly);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("OrleansExport cannot start: Demo:Profiles is '0'; use a whole number from 1 to 10000000.", line.TrimEnd());
    }

    [Theory]
    [InlineData("Demo:Enabled=maybe", "Demo:Enabled is 'maybe'; use true or false.")]
    [InlineData("Demo:Profiles=many", "Demo:Profiles is 'many'; use a whole number.")]
    [InlineData("Demo:Profiles=10000001", "Demo:Profiles is '10000001'; use a whole number from 1 to 10000000.")]
    public void InvalidDemoSettings_AreRefusedWithTheSettingToFix(string setting, string expected)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => DemoSettings.Read(Configuration(setting), isDevelopment: true));
        Assert.Equal(expected, Assert.Single(exception.Failures));
    }

    [Theory]
    [InlineData("", true, true)]
    [InlineData("", false, false)]
    [InlineData("Demo:Enabled=false", true, false)]
    [InlineData("Demo:Enabled=true", false, true)]
    public void TheDemo_IsOnInDevelopment_UnlessConfigured(string setting, bool isDevelopment, bool enabled) =>
        Assert.Equal(enabled, DemoSettings.Read(Configuration(setting), isDevelopment).IsEnabled);

    private static IConfiguration Configuration(string setting) => new ConfigurationBuilder()
        .AddInMemoryCollection(setting.Length == 0 ? [] : [new KeyValuePair<string, string?>(setting.Split('=')[0], setting.Split('=')[1])])
        .Build();
}
