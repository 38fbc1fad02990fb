using System.Diagnostics.Metrics;
using System.Text;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting.Developer;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streaming.EventHubs.Testing;
using Orleans.Streams;
using Orleans.TestingHost;
using OrleansExport.Demo;
using OrleansExport.Grains;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Segments;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.AzureStorage;
using OrleansExport.Silo.EventHubs;
using OrleansExport.Silo.Hosting;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// The Event Hubs path without a hub: the provider's own generator (<c>AddEventDataGeneratorStreams</c>)
/// hands contract JSON bodies to the project's data adapter, exactly as the hub's receiver would.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EventHubsGeneratorTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string SegmentId = "hub-segment";
    private const int Profiles = 5000;
    private const int MalformedBodies = 7;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task GeneratedHubEvents_ReachTheShards_MalformedAreSkipped_AndCheckpointsAreStored()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        var generated = SegmentEventGenerator.Generate(Profiles, SegmentId, ChurnOptions.None);
        var feed = new ContractEventFeed(generated.Events, MalformedBodies);
        var azure = new AzureStorageClients(azurite.ConnectionString);
        var builder = TestClusters.Builder(1, silo =>
        {
            silo.Services.AddSingleton(azure);
            silo.AddAzureStorageState(azure);
            silo.AddEventDataGeneratorStreams(Constants.StreamProvider, streams =>
            {
                streams.UseSegmentEvents(azure.Tables);
                // Purge (and so checkpoint) soon, so that the test sees a checkpoint without waiting minutes; with a
                // maximum age of zero the cache drops even data not yet delivered, so the minimum must outlast the first
                // delivery (segment shards and export shards both journal it).
                streams.ConfigureCacheEviction(options => options.Configure(o =>
                {
                    o.DataMinTimeInCache = TimeSpan.FromSeconds(10);
                    o.DataMaxAgeInCache = TimeSpan.Zero;
                }));
            });
            silo.Services.Configure<EventDataGeneratorStreamOptions>(Constants.StreamProvider, o => o.EventHubPartitionCount = 2);
            silo.Services.AddKeyedSingleton<Func<StreamId, IStreamDataGenerator<EventData>>>(Constants.StreamProvider,
                (_, _) => streamId => new ContractEventGenerator(streamId, feed));
        });
        var serviceId = builder.Options.ServiceId;
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        using var writes = new StorageWriteCounter();
        var exportId = await TestClusters.CreateExportAsync(cluster.Client, simulator.Hostname, simulatorOptions.ApiKeys[0], SegmentId);
        writes.Reset();
        await cluster.Client.GetGrain<IManagementGrain>(0).SendControlCommandToProvider<PersistentStreamProvider>(Constants.StreamProvider,
            (int)EventDataGeneratorAdapterFactory.Commands.Randomly_Place_Stream_To_Queue,
            new EventDataGeneratorAdapterFactory.StreamRandomPlacementArg(StreamId.Create(Constants.SegmentStreamNamespace, SegmentId), 1));

        var segment = cluster.Client.GetGrain<ISegmentGrain>(SegmentId);
        await Eventually.WaitAsync(segment.GetAsync, s => s?.EventsReceived == generated.Events.Count, Timeout, "every generated event received");
        Assert.Equal(Profiles, (await cluster.Client.GetGrain<IExportGrain>(exportId).GetStatusAsync())!.Counters.Members);
        Assert.Equal(MalformedBodies, writes.Malformed);

        // One persist interval later, the shards have also written their snapshots for these events.
        await Task.Delay(new ExportOptions().ShardPersistInterval + TimeSpan.FromSeconds(1));
        output.WriteLine($"{generated.Events.Count} events from the generator: {writes.JournalAppends} journal appends, {writes.SnapshotWrites} shard snapshots, " +
                         $"{writes.StorageWrites} storage writes in all (delivery to the simulator included): " +
                         $"{writes.JournalAppends * 1000.0 / generated.Events.Count:F1} appends, {writes.StorageWrites * 1000.0 / generated.Events.Count:F1} writes per 1,000 events.");
        Assert.True(writes.JournalAppends > 0);

        var checkpoints = azure.Tables.GetTableClient(AzureTableStreamCheckpointerOptions.DEFAULT_TABLE_NAME);
        await Eventually.WaitAsync(
            () => Task.FromResult(checkpoints.Query<TableEntity>().Count(e => e.PartitionKey.Contains(serviceId, StringComparison.Ordinal))),
            count => count > 0, Timeout, "a stream checkpoint in the Checkpoint table");
    }

    [Fact]
    public async Task SnapshotCompletionOnOnePartition_BeforeItsJoinsOnAnother_RemovesOnlyTheMemberTheSnapshotDidNotName()
    {
        const string segmentId = "hub-snapshot";
        var t0 = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        SegmentEvent Joined(string profile, string? snapshotId = null) => new($"j-{profile}-{snapshotId}", segmentId, profile, SegmentEventType.Joined, t0,
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com" }, snapshotId);

        // Partition 0 (keyed by segment): the members, then the snapshot's markers. Partition 1 (keyed by profile): the
        // snapshot's joins, held back until the completion has been applied, carrying the members' original time.
        var joinsReleased = false;
        var markers = new ContractEventFeed([Joined("ann"), Joined("bob"), Joined("cid"),
            new("hs-start", segmentId, "", SegmentEventType.SnapshotStarted, t0.AddHours(1), null, "hs-1"),
            new("hs-end", segmentId, "", SegmentEventType.SnapshotCompleted, t0.AddHours(1).AddMinutes(1), null, "hs-1")], 0);
        var joins = new ContractEventFeed([Joined("ann", "hs-1"), Joined("bob", "hs-1")], 0, () => Volatile.Read(ref joinsReleased));
        await using var cluster = await TwoPartitionClusterAsync(markers, joins, TimeSpan.FromSeconds(15));

        var segment = cluster.Client.GetGrain<ISegmentGrain>(segmentId);
        await Eventually.WaitAsync(segment.GetAsync, s => s?.EventsReceived == 5, Timeout, "the members and the snapshot's markers received");
        Volatile.Write(ref joinsReleased, true);
        await Eventually.WaitAsync(segment.GetAsync, s => s?.EventsReceived == 7, Timeout, "the snapshot's joins received after its completion");
        await Eventually.WaitAsync(segment.GetAsync, s => s?.Members == 2, Timeout, "cid, whom the snapshot did not name, to leave after the grace");

        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(2, (await segment.GetAsync())!.Members);
    }

    /// <summary>
    /// One silo on Azurite whose Event Hubs generator has two partitions: the stream of <paramref name="markers"/> on
    /// partition 0 (keyed by segment), that of <paramref name="joins"/> on partition 1 (keyed by profile).
    /// </summary>
    private async Task<InProcessTestCluster> TwoPartitionClusterAsync(ContractEventFeed markers, ContractEventFeed joins, TimeSpan snapshotGrace)
    {
        var markerStream = StreamId.Create("generator", "markers");
        var azure = new AzureStorageClients(azurite.ConnectionString);
        var builder = TestClusters.Builder(1, silo =>
        {
            silo.Services.AddSingleton(azure);
            silo.AddAzureStorageState(azure);
            silo.UseInMemoryReminderService();
            silo.AddEventDataGeneratorStreams(Constants.StreamProvider, streams => streams.UseSegmentEvents(azure.Tables));
            silo.Services.Configure<EventDataGeneratorStreamOptions>(Constants.StreamProvider, o => o.EventHubPartitionCount = 2);
            silo.Services.Configure<SegmentIngestOptions>(o => o.SnapshotGrace = snapshotGrace);
            silo.Services.AddKeyedSingleton<Func<StreamId, IStreamDataGenerator<EventData>>>(Constants.StreamProvider,
                (_, _) => streamId => new ContractEventGenerator(streamId, streamId == markerStream ? markers : joins));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        foreach (var (stream, queue) in new[] { (markerStream, 0), (StreamId.Create("generator", "joins"), 1) })
        {
            await management.SendControlCommandToProvider<PersistentStreamProvider>(Constants.StreamProvider,
                (int)EventDataGeneratorAdapterFactory.Commands.Randomly_Place_Stream_To_Queue, new EventDataGeneratorAdapterFactory.StreamRandomPlacementArg(stream, queue));
        }

        return cluster;
    }

    [Fact]
    public async Task SnapshotJoinsOnOnePartition_BeforeItsStartOnAnother_StillNameTheirMembers()
    {
        const string segmentId = "hub-early-joins";
        var t0 = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
        SegmentEvent Joined(string profile, string? snapshotId = null) => new($"j-{profile}-{snapshotId}", segmentId, profile, SegmentEventType.Joined, t0,
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com" }, snapshotId);

        // Partition 1 (keyed by profile): the members, then the snapshot's joins, carrying the members' original time.
        // Partition 0 (keyed by segment): the snapshot's markers, held back until those joins have been applied.
        var markersReleased = false;
        var joins = new ContractEventFeed([Joined("ann"), Joined("bob"), Joined("cid"), Joined("ann", "he-1"), Joined("bob", "he-1")], 0);
        var markers = new ContractEventFeed([
            new("he-start", segmentId, "", SegmentEventType.SnapshotStarted, t0.AddHours(1), null, "he-1"),
            new("he-end", segmentId, "", SegmentEventType.SnapshotCompleted, t0.AddHours(1).AddMinutes(1), null, "he-1")], 0, () => Volatile.Read(ref markersReleased));
        await using var cluster = await TwoPartitionClusterAsync(markers, joins, TimeSpan.FromSeconds(2));

        var segment = cluster.Client.GetGrain<ISegmentGrain>(segmentId);
        await Eventually.WaitAsync(segment.GetAsync, s => s?.EventsReceived == 5, Timeout, "the members and the snapshot's joins received");
        Volatile.Write(ref markersReleased, true);
        await Eventually.WaitAsync(segment.GetAsync, s => s?.EventsReceived == 7, Timeout, "the snapshot's markers received after its joins");
        await Eventually.WaitAsync(segment.GetAsync, s => s?.Members < 3, Timeout, "cid, whom the snapshot did not name, to leave after the grace");

        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(2, (await segment.GetAsync())!.Members);
    }

    /// <summary>The bodies a hub would hold: one contract JSON event each, with some malformed ones among them.</summary>
    /// <param name="ready">Until it holds, the partition has nothing to read: events held back upstream.</param>
    private sealed class ContractEventFeed(Func<bool>? ready = null)
    {
        public bool Ready => ready?.Invoke() != false;

        private readonly Queue<byte[]> _bodies = new();

        public ContractEventFeed(IReadOnlyList<SegmentEvent> events, int malformed, Func<bool>? ready = null) : this(ready)
        {
            var every = Math.Max(1, events.Count / (malformed + 1));
            for (var i = 0; i < events.Count; i++)
            {
                _bodies.Enqueue(SegmentEventJson.Serialize(events[i]));
                if (i % every == every - 1 && malformed-- > 0)
                {
                    _bodies.Enqueue(Encoding.UTF8.GetBytes("{\"eventId\":\"broken-" + i + "\",\"segmentId\":\"" + SegmentId + "\",\"type\":\"joined\"}"));
                }
            }
        }

        public List<byte[]>? Take(int count)
        {
            lock (_bodies)
            {
                if (_bodies.Count == 0)
                {
                    return null;
                }

                var taken = new List<byte[]>(count);
                while (taken.Count < count && _bodies.TryDequeue(out var body))
                {
                    taken.Add(body);
                }

                return taken;
            }
        }
    }

    /// <summary>
    /// A stream generator for the provider's partition generator, which asks for exactly the count it wants
    /// and has no way to hear "nothing more": the last read is filled up with events of a segment no export
    /// subscribes to, and reads after the end fail (the receiver logs it and tries again later).
    /// </summary>
    private sealed class ContractEventGenerator(StreamId streamId, ContractEventFeed feed) : IStreamDataGenerator<EventData>
    {
        private IIntCounter _sequence = null!;

        public StreamId StreamId => streamId;

        public IIntCounter SequenceNumberCounter { set => _sequence = value; }

        public bool ShouldProduce { set { } }

        public bool TryReadEvents(int maxCount, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<EventData>? events)
        {
            if (!feed.Ready)
            {
                // The partition generator asks again at once until it has its count: a short nap, not a spin. (A failing
                // read instead would make the pulling agent give up on the queue after a few attempts.)
                Thread.Sleep(20);
                events = null;
                return false;
            }

            var bodies = feed.Take(maxCount) ?? throw new InvalidOperationException("The generated feed is exhausted.");
            while (bodies.Count < maxCount)
            {
                bodies.Add(SegmentEventJson.Serialize(new SegmentEvent($"filler-{Guid.NewGuid():N}", "not-exported", "p-filler",
                    SegmentEventType.Left, DateTimeOffset.UtcNow, null)));
            }

            events = bodies.Select(body =>
            {
                _sequence.Increment();
                return EventHubsModelFactory.EventData(new BinaryData(body), partitionKey: null, sequenceNumber: _sequence.Value,
                    offsetString: _sequence.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), enqueuedTime: DateTimeOffset.UtcNow);
            }).ToList();
            return true;
        }
    }

    /// <summary>Counts, while it lives, the storage writes and skipped bodies published on the OrleansExport meter.</summary>
    private sealed class StorageWriteCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _journalAppends, _snapshotWrites, _storageWrites, _malformed;

        public StorageWriteCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ShardStorageMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                switch (instrument.Name)
                {
                    case ShardStorageMetrics.JournalAppendsInstrument: Interlocked.Add(ref _journalAppends, value); break;
                    case ShardStorageMetrics.SnapshotWritesInstrument: Interlocked.Add(ref _snapshotWrites, value); break;
                    case IngestMetrics.MalformedInstrument: Interlocked.Add(ref _malformed, value); break;
                    case StorageMetrics.RequestsInstrument when IsWrite(tags): Interlocked.Add(ref _storageWrites, value); break;
                }
            });
            _listener.Start();
        }

        public long JournalAppends => Interlocked.Read(ref _journalAppends);
        public long SnapshotWrites => Interlocked.Read(ref _snapshotWrites);
        public long StorageWrites => Interlocked.Read(ref _storageWrites);
        public long Malformed => Interlocked.Read(ref _malformed);

        public void Reset()
        {
            Interlocked.Exchange(ref _journalAppends, 0);
            Interlocked.Exchange(ref _snapshotWrites, 0);
            Interlocked.Exchange(ref _storageWrites, 0);
            Interlocked.Exchange(ref _malformed, 0);
        }

        private static bool IsWrite(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "kind")
                {
                    return "write".Equals(tag.Value);
                }
            }

            return false;
        }

        public void Dispose() => _listener.Dispose();
    }
}
