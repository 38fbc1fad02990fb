using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansExport.Simulator;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>
/// The project's simulator over real HTTP with one account whose limits never get in the way, and the client built for
/// it as the host builds it (<see cref="TestClients.Build"/>).
/// </summary>
public sealed class SimulatedAccount : IAsyncDisposable
{
    public const string ApiKey = "sim-key-0123456789abcdef";

    private SimulatedAccount(ActiveCampaignSimulator simulator, ServiceProvider services) => (Simulator, Services) = (simulator, services);

    public ActiveCampaignSimulator Simulator { get; }

    public ServiceProvider Services { get; }

    public ActiveCampaignAccount Account => new(Simulator.Hostname, ApiKey);

    public IActiveCampaignClient Client => Services.GetRequiredService<IActiveCampaignClient>();

    public static async Task<SimulatedAccount> StartAsync(IRequestPacer pacer, ILoggerProvider logs, params string[] listIds)
    {
        var simulator = await ActiveCampaignSimulator.StartAsync(new SimulatorOptions
        {
            ApiKeys = [ApiKey],
            ListIds = [.. listIds],
            RequestsPerSecond = 100_000,
            BulkImportsPerMinute = 100_000,
            SingleContactImportsPerMinute = 100_000,
            ImportApplyDelay = TimeSpan.Zero,
        });
        return new SimulatedAccount(simulator, TestClients.Build(pacer, logs, resolver: null));
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
