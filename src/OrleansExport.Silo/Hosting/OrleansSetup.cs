using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansExport.Silo.Hosting;

public static class OrleansSetup
{
    /// <summary>Clustering, storage, reminders and streams for the configured hosting profile.</summary>
    public static ISiloBuilder AddOrleansExport(this ISiloBuilder silo, HostSettings settings)
    {
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        silo.AddMemoryGrainStorage(Constants.ExportStore, UseOrleansSerializer);
        silo.AddMemoryGrainStorage(Constants.ShardStore, UseOrleansSerializer);
        silo.AddMemoryGrainStorage(Constants.PubSubStore, UseOrleansSerializer);
        silo.UseInMemoryReminderService();
        silo.AddMemoryStreams(Constants.StreamProvider);
        return silo;
    }

    /// <summary>
    /// Memory storage keeps a serialized copy of every state. Its default, JSON with type names, made
    /// writing a shard of 60,000 members cost more CPU than ingesting them; the binary serializer is
    /// several times faster and smaller.
    /// </summary>
    private static void UseOrleansSerializer(OptionsBuilder<MemoryGrainStorageOptions> options) =>
        options.Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new ExactSizeStorageSerializer(serializer));

    /// <summary>
    /// The Orleans binary serializer, keeping exactly the bytes written: Orleans' own storage serializer
    /// keeps its growable buffer, up to twice the state's size, for as long as memory storage holds it.
    /// </summary>
    private sealed class ExactSizeStorageSerializer(Serializer serializer) : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

        public T? Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory());
    }
}
