namespace OrleansExport.LoadTests.Targets;

/// <summary>The cluster under test: an in-process silo, or a running cluster reached as a client.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    IGrainFactory Grains { get; }

    /// <summary>The path events take into the cluster.</summary>
    IEventSink Events { get; }

    /// <summary>The same path onto a memory stream whose subscriber only counts (<see cref="BareStreamCounterGrain"/>); null for a remote cluster, which lacks that grain.</summary>
    IEventSink? BareStream { get; }

    /// <summary>True when the silo runs in this process, so its managed heap can be measured here.</summary>
    bool SiloInProcess { get; }

    /// <summary>Shards per export as the silo is configured; 0 when unknown (a remote cluster).</summary>
    int ShardCount { get; }

    /// <summary>How often the shards write their state to storage as the silo is configured; zero when unknown (a remote cluster).</summary>
    TimeSpan ShardPersistInterval { get; }

    /// <summary>Warnings and errors the silo logged (in-process only), newest last.</summary>
    IReadOnlyList<string> Warnings { get; }
}

/// <summary>Hands events to the cluster; returns once the cluster acknowledged them (durably enqueued).</summary>
internal interface IEventSink
{
    Task PublishAsync(IReadOnlyList<SegmentEvent> events, CancellationToken cancellationToken);
}
