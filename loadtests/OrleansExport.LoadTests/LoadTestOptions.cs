using OrleansExport.Demo;

namespace OrleansExport.LoadTests;

/// <summary>How events reach the cluster.</summary>
public enum IngestMode
{
    /// <summary>Straight onto the segment streams, as the HTTP API and Event Hubs do after parsing.</summary>
    Stream,
    /// <summary>JSON arrays through <c>POST /api/events</c>.</summary>
    Http,
}

/// <summary>Where the in-process silo keeps grain state.</summary>
public enum StorageMode
{
    /// <summary>The embedded default: memory storage.</summary>
    Memory,
    /// <summary>The production profile's Azure Storage (grain state, shard journals, key ring), in Azurite.</summary>
    Azurite,
}

/// <summary>Everything one load-test run needs; the command line maps onto it one to one.</summary>
public sealed record LoadTestOptions
{
    /// <summary>Profiles in the generated segment.</summary>
    public int Profiles { get; init; } = 100_000;

    /// <summary>Divides every ActiveCampaign rate window (60: per-minute limits apply per second), on both sides.</summary>
    public double TimeScale { get; init; } = 60;

    public ChurnOptions Churn { get; init; } = new();

    public int Seed { get; init; } = 42;

    public IngestMode Ingest { get; init; } = IngestMode.Stream;

    /// <summary>Events handed to the ingest path per call.</summary>
    public int PublishBatchSize { get; init; } = 16_384;

    /// <summary>Ingest calls in flight at once.</summary>
    public int PublishConcurrency { get; init; } = 2;

    /// <summary>Gateway port of a running localhost cluster to connect to; null starts a silo in this process.</summary>
    public int? ClusterGatewayPort { get; init; }

    /// <summary>Base address and key of a running cluster's HTTP API (only for <see cref="IngestMode.Http"/> with a cluster).</summary>
    public Uri? ApiUrl { get; init; }

    public string? ApiKey { get; init; }

    public StorageMode Storage { get; init; } = StorageMode.Memory;

    /// <summary>With <see cref="StorageMode.Azurite"/>: a running Azurite (or storage account) to use; null starts the repository's Azurite.</summary>
    public string? AzuriteConnectionString { get; init; }

    /// <summary>Extra configuration for the in-process silo, as <c>Key=Value</c> (e.g. <c>Export:ShardCount=32</c>).</summary>
    public IReadOnlyList<string> SiloSettings { get; init; } = [];

    /// <summary>How long the simulator takes to apply a queued import, at real limits (divided by the time scale).</summary>
    public TimeSpan ImportApplyDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The whole run gives up after this long.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public string? JsonPath { get; init; }

    /// <summary>Where the human summary with the throughput chart goes; defaults to the JSON path with .html.</summary>
    public string? HtmlPath { get; init; }

    /// <summary>
    /// Stop once every event is in segment state: no export, no delivery, no list check. Isolates ingest and
    /// the segment's memory for profiling.
    /// </summary>
    public bool IngestOnly { get; init; }

    /// <summary>
    /// Run the production profile as <see cref="Targets.SiloProcessCluster.SiloCount"/> silo processes sharing Azurite, and
    /// kill -9 the silo that is sending a third of the way into the first run: duplicates and time to resume after it.
    /// </summary>
    public bool KillSilo { get; init; }

    /// <summary>
    /// ActiveCampaign accounts delivered to at once: K exports of the loaded segment, each to a simulated account of its own (its own
    /// limits), whose first runs go together; the report adds the aggregate imports per second and each account's utilization.
    /// </summary>
    public int Accounts { get; init; } = 1;

    /// <summary>After the first run, reconcile the export with its list and report how long that took and its requests.</summary>
    public bool Reconcile { get; init; }

    /// <summary>The first run's contacts sent (of those needed) when the silo is killed.</summary>
    public double KillAtFraction { get; init; } = 1.0 / 3;

    /// <summary>Keep the loaded silo alive this long after measuring, e.g. to take a dotnet-gcdump of it.</summary>
    public TimeSpan Hold { get; init; }

    /// <summary>How often progress and the throughput chart are sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public string? ResolvedHtmlPath => HtmlPath ?? (JsonPath is null ? null : Path.ChangeExtension(JsonPath, ".html"));
}
