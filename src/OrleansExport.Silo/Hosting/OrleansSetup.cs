namespace OrleansExport.Silo.Hosting;

public static class OrleansSetup
{
    /// <summary>Clustering, storage, reminders and streams for the configured hosting profile.</summary>
    public static ISiloBuilder AddOrleansExport(this ISiloBuilder silo, HostSettings settings)
    {
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        silo.AddMemoryGrainStorage(Constants.ExportStore);
        silo.AddMemoryGrainStorage(Constants.ShardStore);
        silo.AddMemoryGrainStorage(Constants.PubSubStore);
        silo.UseInMemoryReminderService();
        silo.AddMemoryStreams(Constants.StreamProvider);
        return silo;
    }
}
