using System.Diagnostics;
using System.Runtime.CompilerServices;
using OrleansExport.LoadTests.Targets;
using OrleansExport.Simulator;

namespace OrleansExport.LoadTests;

/// <summary>
/// One load-test run: start the cluster (or connect to one) and the ActiveCampaign simulator, create
/// a connection and an export, generate the events, push them through the real ingest path, let the
/// export deliver continuously at the simulator's limits, then check the list and compute the figures.
/// </summary>
/// <remarks>
/// What is measured. Ingest: from the first publish until the export grain has applied the last event
/// to its shards. Initial delivery: starts with the first full batch while ingest still runs (the path
/// a new export takes), until the list equals the membership; duplicate sends are counted here. Full
/// run: then a resync sends every member again; as ingest no longer feeds it, it runs at the ceiling
/// from its first import to its last, and bulk-import utilization, contacts per import and the
/// projection are measured over exactly that span. Memory: the managed heap once every member is loaded and delivered,
/// after the simulator's account is released, minus the heap before the first event (with
/// <see cref="LoadTestOptions.IngestOnly"/>: once every event is applied).
/// </remarks>
public sealed class LoadTestRunner
{
    private const string ListId = "1";

    private readonly LoadTestOptions _options;
    private readonly LoadTestProgress _progress;
    private readonly List<Sample> _samples = [];
    private readonly Stopwatch _clock = new();

    // The simulator's counters restart for the full run; the chart adds what came before.
    private SimulatorStats? _statsOffset;

    private LoadTestRunner(LoadTestOptions options, LoadTestProgress progress)
    {
        _options = options;
        _progress = progress;
    }

    public static Task<LoadTestResult> RunAsync(LoadTestOptions options, LoadTestProgress? progress = null, CancellationToken cancellationToken = default) =>
        new LoadTestRunner(options, progress ?? new LoadTestProgress()).RunAsync(cancellationToken);

    private async Task<LoadTestResult> RunAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var token = timeout.Token;
        var startedAt = DateTimeOffset.UtcNow;
        using var throttles = new ThrottleCounter();

        _progress.Enter("starting the simulator and the cluster");
        ActiveCampaignSimulator? simulator = await ActiveCampaignSimulator.StartAsync(
            new SimulatorOptions { TimeScale = _options.TimeScale, ImportApplyDelay = _options.ImportApplyDelay / _options.TimeScale }, ct: token);
        var simulatorReleased = false;
        try
        {
            await using var target = _options.ClusterGatewayPort is { } gatewayPort
                ? (ILoadTarget)await ClusterClient.ConnectAsync(_options, gatewayPort, token)
                : await InProcessSilo.StartAsync(_options, token);
            var exportId = $"loadtest-{Guid.NewGuid():N}"[..17];
            var export = await CreateExportAsync(target.Grains, simulator, exportId);

            var heapBaseline = target.SiloInProcess ? ManagedHeap.MeasureLiveBytes() : (long?)null;

            _progress.Enter("generating events");
            var generateClock = Stopwatch.StartNew();
            var (totalEvents, expectedMembers, invalidEmails) = Generate(out var events);
            var generateSeconds = generateClock.Elapsed.TotalSeconds;
            _progress.TotalEvents = totalEvents;
            _progress.ExpectedMembers = expectedMembers;

            _progress.Enter("ingesting");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            _clock.Start();
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(token);
            var ingested = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            var sampler = SampleAsync(target.Grains.GetGrain<ISegmentGrain>(GeneratedLoad.SegmentId), simulator.State, totalEvents, ingested, sampling.Token);
            await PublishAsync(target.Events, events, token);
            events = null;
            var publishSeconds = _clock.Elapsed.TotalSeconds;
            var ingestSeconds = await ingested.Task.WaitAsync(token);
            var ingestCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

            ListCheck? list = null;
            SimulatorStats? initialStats = null;
            FullRun? fullRun = null;
            if (!_options.IngestOnly)
            {
                _progress.Enter("delivering to ActiveCampaign");
                list = await WaitUntilInStepAsync(export, simulator, totalEvents, token);
                initialStats = simulator.State.GetStats();
                if (_options.FullRun)
                {
                    fullRun = await RunFullRunAsync(target.Grains, exportId, export, simulator, totalEvents, initialStats, token);
                }
            }

            var exportSeconds = _clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;

            _progress.Enter("measuring");
            var stats = initialStats ?? simulator.State.GetStats();
            var status = await export.GetStatusAsync() ?? throw new InvalidOperationException("the export disappeared");

            // Forget the simulated account's million contacts before measuring the silo's heap.
            simulator.State.Reset();
            await simulator.DisposeAsync();
            simulatorReleased = true;
            var heapAfterLoad = target.SiloInProcess ? MeasureWithoutSimulator(ref simulator) : (long?)null;
            var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
            if (_options.Hold > TimeSpan.Zero)
            {
                _progress.Enter($"holding the loaded silo for {_options.Hold.TotalSeconds:F0} s (process {Environment.ProcessId})");
                await Task.Delay(_options.Hold, token);
            }

            return Compute(new RunMeasurements(
                startedAt, target, totalEvents, expectedMembers, invalidEmails, generateSeconds, publishSeconds, ingestSeconds, ingestCpuSeconds,
                exportSeconds, stats, fullRun, throttles.ByEndpoint, status.Counters.Members, status.Counters.StateBytes, list, heapBaseline, heapAfterLoad, peakWorkingSet));
        }
        finally
        {
            if (!simulatorReleased)
            {
                await simulator!.DisposeAsync();
            }
        }
    }

    private async Task<IExportGrain> CreateExportAsync(IGrainFactory grains, ActiveCampaignSimulator simulator, string exportId)
    {
        var connection = await grains.GetGrain<IConnectionGrain>(exportId).CreateAsync(new ConnectionRequest(
            "Load test (simulator)", simulator.Hostname, new SimulatorOptions().ApiKeys[0], AllowContributors: false, DataPrivacyConsent: true,
            ProfileCap: null, CreatedBy: "loadtest"));
        if (connection.Error is { } connectionError)
        {
            throw new InvalidOperationException($"Could not create the load-test connection: {connectionError.Detail}");
        }

        var mapping = new ContactMapping("EmailAddress", "FirstName", "LastName", null, [new FieldMapping("Tier", 1)], ["orleans-export-loadtest"]);
        var export = grains.GetGrain<IExportGrain>(exportId);
        var created = await export.CreateAsync(new ExportDefinition(
            exportId, "Load test", exportId, ListId, [GeneratedLoad.SegmentId], mapping, LeaveAction.Unsubscribe, null, "loadtest", DateTimeOffset.UtcNow));
        if (created.Error is { } exportError)
        {
            throw new InvalidOperationException($"Could not create the load-test export: {exportError.Detail}");
        }

        return export;
    }

    // Kept out of RunAsync so that nothing there keeps the generated events alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (long Events, int ExpectedMembers, int InvalidEmails) Generate(out List<SegmentEvent>? events)
    {
        var load = GeneratedLoad.Create(_options);
        events = load.Events;
        return (load.Events.Count, load.ExpectedMembers, load.InvalidEmails);
    }

    private async Task PublishAsync(IEventSink sink, List<SegmentEvent>? events, CancellationToken cancellationToken)
    {
        var chunks = events!.Chunk(_options.PublishBatchSize);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = _options.PublishConcurrency, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                await sink.PublishAsync(chunk, token);
                Interlocked.Add(ref _progress.EventsPublished, chunk.Length);
            });
    }

    /// <summary>
    /// Samples progress for the live display and the chart. While events are still coming in it asks only
    /// cheap counters, often, to time the end of ingest precisely; then the full status, less often.
    /// </summary>
    private async Task SampleAsync(ISegmentGrain segment, SimulatorState simulator, long totalEvents, TaskCompletionSource<double> ingested, CancellationToken cancellationToken)
    {
        var nextSample = TimeSpan.Zero;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var received = (await segment.GetAsync())?.EventsReceived ?? 0;
                var elapsed = _clock.Elapsed;
                _progress.EventsReceived = received;
                _progress.ElapsedSeconds = elapsed.TotalSeconds;
                if (received >= totalEvents)
                {
                    ingested.TrySetResult(elapsed.TotalSeconds);
                }

                if (elapsed >= nextSample)
                {
                    nextSample = elapsed + _options.SampleInterval;
                    lock (_samples)
                    {
                        var stats = simulator.GetStats();
                        var offset = _statsOffset;
                        var sample = new Sample(Math.Round(elapsed.TotalSeconds, 3), received,
                            stats.ContactsImported + (offset?.ContactsImported ?? 0), stats.BulkImports + (offset?.BulkImports ?? 0),
                            stats.Throttled429 + (offset?.Throttled429 ?? 0));
                        _samples.Add(sample);
                        _progress.ContactsImported = sample.ContactsImported;
                        _progress.BulkImports = sample.BulkImports;
                        _progress.Throttled429 = sample.Throttled429;
                    }
                }

                await Task.Delay(ingested.Task.IsCompleted ? _options.SampleInterval : TimeSpan.FromMilliseconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed record FullRun(SimulatorStats Stats, double Seconds, RunView Run, ListCheck List);

    /// <summary>
    /// A full run (resync) of the loaded export: every member is sent again, so the export works at the
    /// ceiling from its first import to its last, whatever the speed of ingest. Its imports are counted
    /// on their own (the simulator's counters restart); the list must still equal the membership after it.
    /// </summary>
    private async Task<FullRun> RunFullRunAsync(IGrainFactory grains, string exportId, IExportGrain export, ActiveCampaignSimulator simulator,
        long totalEvents, SimulatorStats before, CancellationToken cancellationToken)
    {
        _progress.Enter("full run: every member again, at the ceiling");
        lock (_samples)
        {
            _statsOffset = before;
            simulator.State.ResetStats();
        }

        var clock = Stopwatch.StartNew();
        var control = grains.GetGrain<IResyncControlGrain>(exportId);
        var started = await control.StartRunAsync("loadtest");
        var run = started.Value ?? throw new InvalidOperationException($"Could not start a full run: {started.Error?.Detail}");
        while (run.Status is RunStatus.Queued or RunStatus.Running)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            run = await control.GetRunAsync(run.RunId) ?? throw new InvalidOperationException($"Run {run.RunId} disappeared");
        }

        var list = await WaitUntilInStepAsync(export, simulator, totalEvents, cancellationToken);
        return new FullRun(simulator.State.GetStats(), clock.Elapsed.TotalSeconds, run, list);
    }

    /// <summary>Waits until nothing is pending and the simulator's list is exactly the expected membership (or the run times out).</summary>
    private async Task<ListCheck> WaitUntilInStepAsync(IExportGrain export, ActiveCampaignSimulator simulator, long totalEvents, CancellationToken cancellationToken)
    {
        // Leaves of contacts already sent are not counted as pending; give their unsubscribes a few batch delays.
        var grace = TimeSpan.FromSeconds(90) / _options.TimeScale;
        DateTimeOffset? quietSince = null;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            var status = await export.GetStatusAsync() ?? throw new InvalidOperationException("the export disappeared");
            _progress.Members = status.Counters.Members;
            _progress.Pending = status.Counters.Pending;
            _progress.InSync = status.Counters.InSync;
            if (status.Counters.Pending > 0 || status.Counters.EventsReceived < totalEvents)
            {
                quietSince = null;
                continue;
            }

            var check = CheckList(simulator);
            quietSince ??= DateTimeOffset.UtcNow;
            if (check.Matches || DateTimeOffset.UtcNow - quietSince > grace)
            {
                return check;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ListCheck CheckList(ActiveCampaignSimulator simulator) =>
        ListCheck.Compare(simulator.State.GetListContacts(ListId),
            GeneratedLoad.Profiles(_options).Where(p => p.ExpectedEmail is not null).Select(p => p.ExpectedEmail!));

    /// <summary>The live heap with the simulator's account (a million contacts of its own) unreachable.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long MeasureWithoutSimulator(ref ActiveCampaignSimulator? simulator)
    {
        simulator = null;
        return ManagedHeap.MeasureLiveBytes();
    }

    private sealed record RunMeasurements(
        DateTimeOffset StartedAt,
        ILoadTarget Target,
        long TotalEvents,
        int ExpectedMembers,
        int InvalidEmails,
        double GenerateSeconds,
        double PublishSeconds,
        double IngestSeconds,
        double IngestCpuSeconds,
        double ExportSeconds,
        SimulatorStats Stats,
        FullRun? FullRun,
        IReadOnlyDictionary<string, long> ThrottledByEndpoint,
        long Members,
        long StateBytes,
        ListCheck? List,
        long? HeapBaseline,
        long? HeapAfterLoad,
        long PeakWorkingSet);

    private LoadTestResult Compute(RunMeasurements m)
    {
        var limits = new SimulatorOptions();
        var scale = _options.TimeScale;
        var initial = Figures(m.Stats, m.ExportSeconds - (m.FullRun?.Seconds ?? 0), m.ExpectedMembers, m.ThrottledByEndpoint);
        var fullRun = m.FullRun is { } run ? Figures(run.Stats, run.Seconds, m.ExpectedMembers, m.ThrottledByEndpoint) : null;

        // The budget figures come from the full run when there is one: it works at the ceiling throughout.
        var measured = fullRun ?? initial;
        var usedPerMinute = measured.BulkImportsPerMinute;
        var contactsPerMinute = usedPerMinute * measured.ContactsPerImport;
        var contactsSent = m.Stats.ContactsImported + m.Stats.ContactSyncs;
        bool? listMatches = m.List is null ? null : m.List.Matches && (m.FullRun?.List.Matches ?? true);
        return new LoadTestResult
        {
            IngestEventsPerSecond = Math.Round(m.TotalEvents / m.IngestSeconds),
            BulkImportsPerMinuteUsed = Math.Round(usedPerMinute, 2),
            BulkImportsPerMinuteAllowed = limits.BulkImportsPerMinute,
            Utilization = Math.Round(usedPerMinute / limits.BulkImportsPerMinute, 4),
            AvgContactsPerImport = Math.Round(measured.ContactsPerImport, 2),
            Throttled429 = m.Stats.Throttled429 + (m.FullRun?.Stats.Throttled429 ?? 0),
            ProjectedMinutesPer1MProfiles = contactsPerMinute > 0 ? Math.Round(1_000_000 / contactsPerMinute, 2) : double.PositiveInfinity,
            BytesPerMember = m.HeapAfterLoad is { } after && m.HeapBaseline is { } before && m.Members > 0 ? Math.Round((double)(after - before) / m.Members, 1) : null,
            PeakWorkingSetBytes = m.PeakWorkingSet,
            // Measured on the initial delivery: a full run resends every member by design.
            DuplicateSendRatio = m.ExpectedMembers == 0 ? 0 : Math.Round((double)contactsSent / m.ExpectedMembers, 5),
            ListMatchesMembership = listMatches,
            Setup = new RunSetup(_options.Profiles, scale, _options.Ingest.ToString().ToLowerInvariant(), _options.IngestOnly, m.Target.SiloInProcess, m.Target.ShardCount,
                _options.Churn.ToString(), Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                RedactedCommandLine(), m.StartedAt),
            Ingest = new IngestFigures(m.TotalEvents, m.ExpectedMembers, m.InvalidEmails, Math.Round(m.GenerateSeconds, 3), Math.Round(m.PublishSeconds, 3), Math.Round(m.IngestSeconds, 3),
                Math.Round(m.IngestCpuSeconds, 3), Math.Round(m.IngestCpuSeconds * 1e6 / m.TotalEvents, 2)),
            Export = initial,
            FullRun = fullRun,
            FullRunStatus = m.FullRun?.Run.Status.ToString(),
            Memory = new MemoryFigures(m.HeapBaseline, m.HeapAfterLoad, m.Members, m.StateBytes,
                m.Members == 0 ? 0 : Math.Round((double)m.StateBytes / m.Members, 1)),
            List = m.List,
            ListAfterFullRun = m.FullRun?.List,
            Samples = [.. _samples],
            SiloWarnings = m.Target.Warnings,
        };
    }

    /// <summary>The command line for the report, with the value of <c>--api-key</c> masked.</summary>
    private static string RedactedCommandLine()
    {
        var args = Environment.GetCommandLineArgs();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--api-key" && i + 1 < args.Length)
            {
                args[i + 1] = "****";
            }
            else if (args[i].StartsWith("--api-key=", StringComparison.Ordinal))
            {
                args[i] = "--api-key=****";
            }
        }

        return string.Join(' ', args);
    }

    private ExportFigures Figures(SimulatorStats stats, double seconds, long needed, IReadOnlyDictionary<string, long> throttledByEndpoint)
    {
        var scale = _options.TimeScale;
        var imports = stats.BulkImports + stats.SingleContactImports;
        var steadySeconds = stats.FirstImportAt is { } first && stats.LastImportAt is { } last ? (last - first).TotalSeconds : 0;

        // n imports span n - 1 intervals; a minute at real limits lasts 60 / scale seconds here.
        var usedPerMinute = stats.BulkImports > 1 && steadySeconds > 0 ? (stats.BulkImports - 1) / (steadySeconds * scale / 60) : 0;
        return new ExportFigures(stats.BulkImports, stats.SingleContactImports, stats.ContactsImported, stats.ContactSyncs, stats.ContactListUpdates,
            stats.ImportInfoCalls, stats.Requests, stats.Throttled429, throttledByEndpoint, needed,
            imports == 0 ? 0 : Math.Round((double)stats.ContactsImported / imports, 2), Math.Round(usedPerMinute, 2),
            Math.Round(steadySeconds, 3), Math.Round(seconds, 3), Math.Round(seconds * scale / 60, 2));
    }
}
