using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>Builds the client the way the host does, with loopback allowed and short retry delays unless overridden.</summary>
public static class TestClients
{
    public static ServiceProvider Build(
        IRequestPacer pacer, ILoggerProvider logs, IHostAddressResolver? resolver, params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ActiveCampaign:AllowInsecureLoopback"] = "true",
            ["ActiveCampaign:RetryBaseDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddSingleton(pacer);
        if (resolver is not null)
        {
            services.AddSingleton(resolver);
        }

        return services.AddActiveCampaignClient(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
    }
}

/// <summary>Answers from a fixed table and records what was asked: no real DNS.</summary>
public sealed class FakeResolver(Dictionary<string, string[]> table) : IHostAddressResolver
{
    private int lookups;

    public int Lookups => lookups;

    public Task<System.Net.IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref lookups);
        return Task.FromResult(table.TryGetValue(host, out var addresses)
            ? addresses.Select(System.Net.IPAddress.Parse).ToArray()
            : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
    }
}
