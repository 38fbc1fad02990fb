using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.Hosting;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace OrleansExport.ProductionTests;

/// <summary>
/// No Docker engine runs here, so docker-compose.yml is checked by reading it: the services, how they
/// wait for each other, and that every silo's environment uses the keys of docs/api.md section 3 and is a configuration
/// the host accepts.
/// </summary>
public sealed partial class DockerComposeTests
{
    /// <summary>The heading in docs/api.md whose table lists the configuration keys.</summary>
    private const string ConfigurationHeading = "## 3. Configuration";

    private static readonly string[] Silos = ["silo-1", "silo-2"];

    /// <summary>Keys the silos may set beyond the configuration table of docs/api.md, each with its reason.</summary>
    private static readonly Dictionary<string, string> ExtraKeys = new()
    {
        ["ASPNETCORE_URLS"] = "where the HTTP API listens (ASP.NET Core)",
    };

    private readonly Dictionary<string, object> _services = ReadServices();

    [Fact]
    public void Services_AreAzuriteTheEventHubsEmulatorTwoSilosAndTheSimulator()
    {
        Assert.Equal(["azurite", "eventhubs-emulator", "silo-1", "silo-2", "simulator"], _services.Keys.Order());
        foreach (var name in new[] { "azurite", "simulator", "silo-1", "silo-2" })
        {
            Assert.True(Service(name).ContainsKey("healthcheck"), $"{name} has no health check");
        }
    }

    [Fact]
    public void Silos_StartAfterStorageTheHubAndTheSimulator()
    {
        foreach (var silo in Silos)
        {
            var dependsOn = (Dictionary<object, object>)Service(silo)["depends_on"];
            Assert.Equal(["azurite", "eventhubs-emulator", "simulator"], dependsOn.Keys.Cast<string>().Order());
            Assert.Equal("service_healthy", ((Dictionary<object, object>)dependsOn["azurite"])["condition"]);
        }

        var emulator = Service("eventhubs-emulator");
        Assert.Contains("azurite", ((Dictionary<object, object>)emulator["depends_on"]).Keys);
        var environment = (Dictionary<object, object>)emulator["environment"];
        Assert.Equal("azurite", environment["BLOB_SERVER"]);
        Assert.Equal("azurite", environment["METADATA_SERVER"]);
    }

    [Fact]
    public void SiloEnvironments_UseContractKeys_AndAreValidProductionConfigurations()
    {
        var contractKeys = ReadContractKeys();
        foreach (var silo in Silos)
        {
            var environment = SiloEnvironment(silo);
            foreach (var key in environment.Keys)
            {
                Assert.True(contractKeys.Contains(Placeholder(key)) || ExtraKeys.ContainsKey(key), $"{silo} sets {key}, which the configuration table of docs/api.md does not name");
            }

            var settings = HostSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(environment!).Build(), isDevelopment: false);
            Assert.Equal((HostSettings.AzureStorage, HostSettings.AzureStorage, HostSettings.EventHubs), (settings.Storage, settings.Clustering, settings.Streaming));
        }

        Assert.NotEqual(SiloEnvironment("silo-1")["Orleans:SiloPort"], SiloEnvironment("silo-2")["Orleans:SiloPort"]);
        Assert.NotEqual(SiloEnvironment("silo-1")["ASPNETCORE_URLS"], SiloEnvironment("silo-2")["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void TheHubTheSilosRead_IsDeclaredInTheEmulatorConfig()
    {
        var volume = ((List<object>)Service("eventhubs-emulator")["volumes"]).Cast<string>().Single();
        var configPath = Path.Combine(RepositoryPaths.Root, volume.Split(':')[0]);
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        var entities = config.RootElement.GetProperty("UserConfig").GetProperty("NamespaceConfig")[0].GetProperty("Entities").EnumerateArray().ToList();
        var environment = SiloEnvironment("silo-1");
        var hub = entities.Single(e => e.GetProperty("Name").GetString() == environment["EventHubs:Name"]);
        Assert.Contains(environment["EventHubs:ConsumerGroup"], hub.GetProperty("ConsumerGroups").EnumerateArray().Select(g => g.GetProperty("Name").GetString()));
    }

    [Fact]
    public void EveryPublishedPort_IsOnLoopbackOnly()
    {
        var published = _services.Keys.SelectMany(name => Service(name).TryGetValue("ports", out var ports) ? ((List<object>)ports).Cast<string>() : []).ToList();

        Assert.NotEmpty(published);
        Assert.All(published, port => Assert.StartsWith("127.0.0.1:", port));
    }

    [Fact]
    public void TheAdminKey_HasNoDefault_AndComposeStopsWithAMessageWithoutIt()
    {
        foreach (var silo in Silos)
        {
            var key = SiloEnvironment(silo)["Api:Keys:0:Key"];
            Assert.StartsWith("${ORLEANS_EXPORT_ADMIN_KEY:?set ORLEANS_EXPORT_ADMIN_KEY", key);
        }

        // No variable of the file falls back to a default value (${NAME:-value} or ${NAME-value}).
        Assert.Empty(DefaultedVariable().Matches(File.ReadAllText(RepositoryPaths.DockerCompose)).Select(match => match.Value));
    }

    [Fact]
    public void TheProductionShape_NeverAllowsInsecureLoopback_OnlyTheSimulatorOverrideDoes()
    {
        foreach (var silo in Silos)
        {
            Assert.False(SiloEnvironment(silo).ContainsKey("ActiveCampaign:AllowInsecureLoopback"), $"{silo} allows plain HTTP to loopback in the production shape");
        }

        var overrideFile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docker-compose.simulator.yml"));
        Assert.Contains("ActiveCampaign__AllowInsecureLoopback: \"true\"", overrideFile);
    }

    [GeneratedRegex(@"\$\{\w+:?-[^}]*\}")]
    private static partial Regex DefaultedVariable();

    private Dictionary<object, object> Service(string name) => (Dictionary<object, object>)_services[name];

    /// <summary>The silo's environment as configuration keys (<c>__</c> becomes <c>:</c>).</summary>
    private Dictionary<string, string> SiloEnvironment(string silo) =>
        ((Dictionary<object, object>)Service(silo)["environment"]).ToDictionary(p => ((string)p.Key).Replace("__", ":"), p => (string)p.Value);

    private static Dictionary<string, object> ReadServices()
    {
        using var reader = new StringReader(File.ReadAllText(RepositoryPaths.DockerCompose));
        var compose = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
        return ((Dictionary<object, object>)compose["services"]).ToDictionary(p => (string)p.Key, p => p.Value);
    }

    /// <summary>
    /// The keys of the configuration table of docs/api.md (section 3), with list indexes written as N: every
    /// backticked name in the first column of the first table after the heading "## 3. Configuration".
    /// </summary>
    private static HashSet<string> ReadContractKeys()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "api.md"));
        var heading = Array.FindIndex(lines, line => line.StartsWith(ConfigurationHeading, StringComparison.Ordinal));
        Assert.True(heading >= 0, $"docs/api.md has no heading '{ConfigurationHeading}'");
        var keys = lines.Skip(heading + 1)
            .SkipWhile(line => !line.StartsWith('|'))
            .TakeWhile(line => line.StartsWith('|'))
            .Skip(2) // the header row and the |---| row
            .SelectMany(row => BacktickedName().Matches(row.Split('|')[1]).Select(match => match.Groups[1].Value))
            .ToHashSet();
        Assert.True(keys.Count > 0, $"docs/api.md has no configuration table under '{ConfigurationHeading}'");
        return keys;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex BacktickedName();

    private static string Placeholder(string key) => ListIndex().Replace(key, ":N");

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex ListIndex();
}
