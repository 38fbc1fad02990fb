using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streaming.EventHubs;
using OrleansExport.Grains.Durability;
using OrleansExport.Silo.AzureStorage;
using OrleansExport.Silo.EventHubs;

namespace OrleansExport.Silo.Hosting;

public static class OrleansSetup
{
    /// <summary>
    /// Containers delivered to an export in one call when reading Event Hubs (one event each): the shards
    /// journal per delivery, so larger deliveries mean fewer storage writes per event.
    /// </summary>
    public const int EventsPerDelivery = 1000;

    /// <summary>
    /// Messages (of up to <see cref="SegmentEventPublisher.EventsPerMessage"/> events each) delivered to a segment in one
    /// call from memory streams: its shards journal once per call, so a burst costs one append per shard per this many messages.
    /// </summary>
    public const int MessagesPerDelivery = 64;

    /// <summary>
    /// How long the pulling agent retries delivering a batch before skipping it. Longer than a silo
    /// failover, so a dead silo never turns into lost events; shorter than the cache's 30-minute data age.
    /// </summary>
    public static readonly TimeSpan MaxEventDeliveryTime = TimeSpan.FromMinutes(15);

    public const string ExportStateTable = "OrleansExportState";
    public const string PubSubStateTable = "OrleansPubSubState";
    public const string ShardStateContainer = "shards";

    /// <summary>
    /// Orleans reads its own configuration section "Orleans" too, and takes a value at Orleans:Clustering
    /// for a provider section it cannot find. Once <see cref="HostSettings"/> has read our profile key,
    /// a null layered on top hides it from Orleans.
    /// </summary>
    public static void HideProfileKeysFromOrleans(IConfigurationBuilder configuration) =>
        configuration.Add(new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Orleans:Clustering"] = null },
        });

    /// <summary>Clustering, storage, reminders and streams for the configured hosting profile.</summary>
    public static ISiloBuilder AddOrleansExport(this ISiloBuilder silo, HostSettings settings)
    {
        var azure = settings.UsesAzureStorage ? new AzureStorageClients(settings.AzureStorageConnectionString!) : null;
        if (azure is not null)
        {
            silo.Services.AddSingleton(azure);
        }

        if (settings.Clustering == HostSettings.AzureStorage)
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ServiceId;
            });
            silo.UseAzureStorageClustering(options => options.TableServiceClient = azure!.Tables);
            silo.Configure<ClusterMembershipOptions>(settings.Orleans.Membership.ApplyTo);

            // A silo declared dead may have held an export's delivery loop: wake the exports on the survivors.
            silo.Services.AddHostedService<ExportWakeOnSiloLoss>();
            // Gateway port 0: no gateway. Clients of a production cluster are an opt-in door.
            var gatewayPort = settings.GatewayEnabled ? settings.GatewayPort : 0;
            if (settings.AdvertisedIP is { } address)
            {
                silo.ConfigureEndpoints(address, settings.SiloPort, gatewayPort);
            }
            else
            {
                silo.ConfigureEndpoints(settings.SiloPort, gatewayPort, listenOnAnyHostAddress: true);
            }
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        }

        if (settings.ClusterTls is { } tls)
        {
            silo.UseClusterTls(tls.Load("Orleans:Tls"));
        }

        if (settings.Storage == HostSettings.AzureStorage)
        {
            silo.AddAzureStorageState(azure!, settings.Upgrade.WritePreviousFormats);
        }
        else
        {
            silo.AddMemoryGrainStorage(Constants.ExportStore, UseOrleansSerializer);
            silo.AddMemoryGrainStorage(Constants.ShardStore, UseOrleansSerializer);
            silo.AddMemoryGrainStorage(Constants.PubSubStore, UseOrleansSerializer);
            silo.UseInMemoryReminderService();
        }

        if (settings.Streaming == HostSettings.EventHubs)
        {
            var hub = settings.EventHub!;
            silo.AddEventHubStreams(Constants.StreamProvider, streams =>
            {
                streams.ConfigureEventHub(options => options.Configure(o => o.ConfigureEventHubConnection(hub.ConnectionString, hub.Name, hub.ConsumerGroup)));
                // With no checkpoint yet, read the hub from its oldest event: what was accepted before the first start is not skipped.
                streams.ConfigurePartitionReceiver(options => options.Configure(o => o.StartFromNow = false));
                streams.UseSegmentEvents(azure!.Tables);
            });
        }
        else
        {
            silo.AddMemoryStreams(Constants.StreamProvider, streams =>
                streams.ConfigurePullingAgent(options => options.Configure(o =>
                {
                    o.BatchContainerBatchSize = MessagesPerDelivery;
                    o.MaxEventDeliveryTime = MaxEventDeliveryTime;
                })));
        }

        return silo;
    }

    /// <summary>
    /// Grain state, stream pub-sub and reminders in Azure Storage: exports and connections in a table,
    /// shard state in blobs (a table entity holds at most 1 MB), each shard batch journaled to an append
    /// blob before it is acknowledged (<see cref="ExportShardGrain"/>).
    /// </summary>
    public static ISiloBuilder AddAzureStorageState(this ISiloBuilder silo, AzureStorageClients azure, bool writePreviousFormats = false)
    {
        silo.AddAzureTableGrainStorage(Constants.ExportStore, options =>
        {
            options.TableServiceClient = azure.Tables;
            options.TableName = ExportStateTable;
        });
        silo.AddAzureBlobGrainStorage(Constants.ShardStore, options =>
        {
            options.BlobServiceClient = azure.Blobs;
            options.ContainerName = ShardStateContainer;
        });
        silo.AddAzureTableGrainStorage(Constants.PubSubStore, options =>
        {
            options.TableServiceClient = azure.Tables;
            options.TableName = PubSubStateTable;
        });
        silo.UseAzureTableReminderService(options => options.TableServiceClient = azure.Tables);

        // Our state types are [GenerateSerializer]: the Orleans binary format is smaller and faster than the default JSON.
        foreach (var store in new[] { Constants.ExportStore, Constants.ShardStore })
        {
            silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(store, (services, _) => new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));
        }

        silo.Services.AddSingleton<IShardJournal>(services =>
            new BlobShardJournal(azure.Blobs.GetBlobContainerClient(BlobShardJournal.ContainerName), services.GetRequiredService<Serializer>(), writePreviousFormats));
        return silo;
    }

    /// <summary>
    /// The project's data adapter, Azure Table checkpoints and delivery settings, shared by the Event Hubs
    /// provider and the provider's test generator (<c>AddEventDataGeneratorStreams</c>).
    /// </summary>
    public static void UseSegmentEvents(this ISiloRecoverableStreamConfigurator streams, TableServiceClient tables)
    {
        streams.ConfigureComponent<IEventHubDataAdapter>((services, _) => ActivatorUtilities.CreateInstance<SegmentEventDataAdapter>(services));
        streams.UseAzureTableCheckpointer(options => options.Configure(o => o.TableServiceClient = tables));
        streams.ConfigurePullingAgent(options => options.Configure(o =>
        {
            o.BatchContainerBatchSize = EventsPerDelivery;
            o.MaxEventDeliveryTime = MaxEventDeliveryTime;
        }));
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
