using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using OrleansExport.Grains;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>In-process clusters (Orleans.TestingHost) whose silos carry the services the grains need, registered as the host does (AddOrleansExportGrains).</summary>
public static class TestClusters
{
    public static InProcessTestClusterBuilder Builder(short silos, Action<ISiloBuilder> configureSilo)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Logging.ClearProviders();
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ActiveCampaign:AllowInsecureLoopback"] = "true",
                ["ActiveCampaign:Limits:TimeScale"] = "60",
                ["Export:MaxBatchDelay"] = "00:00:02",
            });
            host.Services.AddOrleansExportGrains(host.Configuration);
        });
        builder.ConfigureSilo((_, silo) => configureSilo(silo));
        return builder;
    }

    /// <summary>Silos on memory storage, reminders and streams (the memory profile), with what <paramref name="configureSilo"/> adds.</summary>
    public static InProcessTestClusterBuilder InMemory(short silos, Action<ISiloBuilder>? configureSilo = null) => Builder(silos, silo =>
    {
        silo.AddMemoryGrainStorage(Constants.ExportStore);
        silo.AddMemoryGrainStorage(Constants.ShardStore);
        silo.AddMemoryGrainStorage(Constants.PubSubStore);
        silo.UseInMemoryReminderService();
        silo.AddMemoryStreams(Constants.StreamProvider);
        configureSilo?.Invoke(silo);
    });

    /// <summary>An injected fault: calls to <paramref name="method"/> of <typeparamref name="TGrain"/> throw <paramref name="fault"/> when <paramref name="failNow"/> says so.</summary>
    public static void FailCalls<TGrain>(this ISiloBuilder silo, string method, Func<bool> failNow, string fault) =>
        silo.AddIncomingGrainCallFilter(context =>
            context.InterfaceMethod?.DeclaringType == typeof(TGrain) && context.InterfaceMethod.Name == method && failNow()
                ? throw new InvalidOperationException(fault)
                : context.Invoke());

    /// <summary>Creates a connection to the simulator and an export of one segment to list "1", through the grains.</summary>
    public static async Task<string> CreateExportAsync(IGrainFactory grains, string hostname, string apiKey, string segmentId)
    {
        var connectionId = "con-" + Guid.NewGuid().ToString("N")[..8];
        var connection = await grains.GetGrain<IConnectionGrain>(connectionId).CreateAsync(
            new ConnectionRequest("Simulator", hostname, apiKey, AllowContributors: false, DataPrivacyConsent: true, ProfileCap: null, CreatedBy: "tests"));
        Assert.Null(connection.Error);

        var exportId = "exp-" + Guid.NewGuid().ToString("N")[..8];
        var mapping = new ContactMapping("EmailAddress", "FirstName", "LastName", null, [new FieldMapping("Tier", 1)], []);
        var export = await grains.GetGrain<IExportGrain>(exportId).CreateAsync(new ExportDefinition(
            exportId, "Test export", connectionId, "1", [segmentId], mapping, LeaveAction.Unsubscribe, null, "tests", DateTimeOffset.UtcNow));
        Assert.Null(export.Error);
        return exportId;
    }
}
