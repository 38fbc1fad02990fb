using System.Diagnostics;
using System.Runtime.CompilerServices;
using OrleansExport.ActiveCampaign;
using OrleansExport.LoadTests.Targets;
using OrleansExport.Simulator;

namespace OrleansExport.LoadTests;

/// <summary>
/// One load-test run, in the order a user meets the product: start the cluster (or connect to one) and
/// the ActiveCampaign simulator; ingest the generated events into segment state while no export exists;
/// create an export on the loaded segment (the backfill brings its members in); start its first run, which
/// sends every member at the simulator's limits, and check the list; then create a second export on the
/// same segment to see what a further export costs.
/// </summary>
/// <remarks>
/// What is measured. Ingest: from the first publish until the segment grain counted every event applied.
/// Backfill: from <see cref="IExportGrain.CreateAsync"/> until the export's shards hold every expected member
/// (the segment's members less the invalid emails the export rejects). First run: from its start until
/// nothing is pending; bulk-import utilization, contacts per import and the projection are measured between
/// its first and its last import, and the list must then equal the membership. Memory: the managed heap
/// after the run, with the simulator's account emptied, minus the heap before the first event
/// (<c>bytesPerMember</c>); then the heap once the second export holds every member, minus the heap before
/// it (<c>bytesPerMemberSecondExport</c>). With <see cref="LoadTestOptions.IngestOnly"/> the run stops after
/// ingest and the heap is measured over the segment's members.
/// </remarks>
public sealed class LoadTestRunner
{
    private const string ListId = "1";
    private const string SecondListId = "2";

    /// <summary>
    /// The export's member count has not moved for this long: the backfill is over, even if short of the
    /// expected members (CreateAsync returns once the backfill is in the shards, so this only waits when it is).
    /// </summary>
    private static readonly TimeSpan BackfillSettled = TimeSpan.FromSeconds(10);

    /// <summary>With <see cref="LoadTestOptions.KillSilo"/>: how long a progress call may take before it is asked again (one routed to the dead silo never answers).</summary>
    private static readonly TimeSpan CallWhileRecovering = TimeSpan.FromSeconds(5);

    private readonly LoadTestOptions _options;
    private readonly LoadTestProgress _progress;
    private readonly List<Sample> _samples = [];
    private readonly Stopwatch _clock = new();

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
        using var storage = new StorageCounter();
        using var budget = new BudgetTimeline();

        _progress.Enter("starting the simulator and the cluster");
        await using var simulator = await ActiveCampaignSimulator.StartAsync(SimulatorOptionsFor(_options), ct: token);
        await using var azure = _options.Storage == StorageMode.Azurite || _options.KillSilo ? await HarnessAzurite.StartAsync(_options.AzuriteConnectionString, token) : null;
        await using var target = _options.KillSilo ? await SiloProcessCluster.StartAsync(_options, azure!, token)
            : _options.ClusterGatewayPort is { } gatewayPort ? (ILoadTarget)await ClusterClient.ConnectAsync(_options, gatewayPort, token)
            : await InProcessSiloTarget.StartAsync(_options, azure, token);
        var connectionId = $"loadtest-{Guid.NewGuid():N}"[..17];
        await CreateConnectionAsync(target.Grains, simulator, connectionId);
        await using var otherAccounts = await StartOtherAccountsAsync(target.Grains, connectionId, token);
        var segment = target.Grains.GetGrain<ISegmentGrain>(GeneratedLoad.SegmentId);

        var heapBaseline = target.SiloInProcess ? ManagedHeap.MeasureLiveBytes() : (long?)null;

        _progress.Enter("generating events");
        var generateClock = Stopwatch.StartNew();
        var (totalEvents, expectedMembers, invalidEmails) = Generate(out var events);
        var generateSeconds = generateClock.Elapsed.TotalSeconds;
        _progress.TotalEvents = totalEvents;
        _progress.ExpectedMembers = expectedMembers;

        _progress.Enter("ingesting into segment state (no export yet)");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var storageBefore = storage.Read();
        _clock.Start();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(token);
        var ingested = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sampler = SampleAsync(segment, simulator.State, totalEvents, ingested, sampling.Token);
        await PublishAsync(target.Events, events, token);
        events = null;
        var publishSeconds = _clock.Elapsed.TotalSeconds;
        var ingestSeconds = await ingested.Task.WaitAsync(token);
        var ingestCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var ingestStorage = storage.Read() - storageBefore;
        var segmentMembers = (await segment.GetAsync())?.Members ?? 0;

        BackfillFigures? backfill = null;
        FirstRun? run = null;
        AccountsFigures? accounts = null;
        BackfillFigures? secondExport = null;
        long? heapAfterSecondExport = null;
        long? stateBytes = null;
        ReconcileFigures? reconcile = null;
        StorageTotals? runStorage = null;
        var members = segmentMembers;
        if (!_options.IngestOnly)
        {
            backfill = await CreateAndBackfillAsync(target.Grains, simulator, connectionId, $"{connectionId}-1", ListId, segment, expectedMembers, token);
            var exports = new List<(SimulatedAccount Account, string ExportId)> { (new SimulatedAccount(1, simulator, connectionId), backfill.ExportId) };
            foreach (var other in otherAccounts.Others)
            {
                var otherExport = await CreateAndBackfillAsync(target.Grains, other.Simulator, other.ConnectionId, $"{other.ConnectionId}-1", ListId, segment, expectedMembers, token);
                exports.Add((other, otherExport.ExportId));
            }

            budget.Start();
            if (target is SiloProcessCluster cluster)
            {
                run = await RunFirstRunWithKillAsync(cluster, backfill.ExportId, simulator, expectedMembers, token);
            }
            else
            {
                var runs = await RunFirstRunsAsync(target.Grains, exports, token);
                run = runs[0];
                accounts = exports.Count > 1 ? AccountsOf(exports, runs, expectedMembers) : null;
            }

            budget.Stop();

            // What the first run cost in storage, before the memory phase and the second export's backfill write more.
            runStorage = storage.Read() - storageBefore;
            var status = await target.Grains.GetGrain<IExportGrain>(backfill.ExportId).GetStatusAsync() ?? throw new InvalidOperationException("the export disappeared");
            members = status.Counters.Members;
            stateBytes = status.Counters.StateBytes;
            if (_options.Reconcile)
            {
                reconcile = await ReconcileAsync(target.Grains, backfill.ExportId, simulator, token);
            }
        }

        await sampling.CancelAsync();
        await sampler;

        // Forget the simulated accounts' contacts (the lists are checked) before measuring the silo's heap; their lists stay for the second export.
        simulator.State.Reset();
        foreach (var other in otherAccounts.Others)
        {
            other.Simulator.State.Reset();
        }

        var heapAfterLoad = await MeasureSettledHeapAsync(target, token);
        var segmentStateBytes = await segment.GetStateBytesAsync();
        var streamCacheBytes = target.SiloInProcess ? StreamCacheSize.ReadClaimedBytes() : (long?)null;

        // After a kill the cluster is one silo short: the second export's figures belong to runs without one.
        if (!_options.IngestOnly && !_options.KillSilo)
        {
            secondExport = await CreateAndBackfillAsync(target.Grains, simulator, connectionId, $"{connectionId}-2", SecondListId, segment, expectedMembers, token);
            heapAfterSecondExport = await MeasureSettledHeapAsync(target, token);
        }

        var bareStreamSeconds = target.BareStream is { } bare ? await TimeBareStreamAsync(bare, target.Grains, token) : (double?)null;
        var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
        if (_options.Hold > TimeSpan.Zero)
        {
            _progress.Enter($"holding the loaded silo for {_options.Hold.TotalSeconds:F0} s (process {Environment.ProcessId})");
            await Task.Delay(_options.Hold, token);
        }

        return Compute(new RunMeasurements(
            startedAt, target, totalEvents, expectedMembers, invalidEmails, generateSeconds, publishSeconds, ingestSeconds, ingestCpuSeconds,
            segmentMembers, backfill, run, secondExport, throttles.ByEndpoint, members, stateBytes, heapBaseline, heapAfterLoad, heapAfterSecondExport, peakWorkingSet,
            bareStreamSeconds, _options.Storage == StorageMode.Azurite && target.SiloInProcess ? (ingestStorage, runStorage) : null,
            run is not null && target.SiloInProcess ? budget.Figures(new ActiveCampaignLimits { TimeScale = _options.TimeScale }) : null,
            segmentStateBytes, streamCacheBytes, reconcile, accounts));
    }

    /// <summary>With <see cref="LoadTestOptions.Accounts"/> above 1: accounts 2..K, each a simulator with a connection of its own.</summary>
    private async Task<SimulatedAccounts> StartOtherAccountsAsync(IGrainFactory grains, string connectionId, CancellationToken cancellationToken)
    {
        if (_options.Accounts > 1 && (_options.KillSilo || _options.IngestOnly))
        {
            throw new InvalidOperationException("--accounts runs every account's first run at once: it does not go with --kill-silo or --ingest-only.");
        }

        var accounts = await SimulatedAccounts.StartAsync(_options.Accounts, SimulatorOptionsFor(_options), connectionId, cancellationToken);
        foreach (var account in accounts.Others)
        {
            await CreateConnectionAsync(grains, account.Simulator, account.ConnectionId);
        }

        return accounts;
    }

    private static SimulatorOptions SimulatorOptionsFor(LoadTestOptions options) =>
        new() { TimeScale = options.TimeScale, ImportApplyDelay = options.ImportApplyDelay / options.TimeScale };

    /// <summary>Each account's utilization from its own simulator, and what they imported together from the first import of any to the last of any.</summary>
    private AccountsFigures AccountsOf(List<(SimulatedAccount Account, string ExportId)> exports, IReadOnlyList<FirstRun> runs, long needed)
    {
        var allowedPerMinute = new SimulatorOptions().BulkImportsPerMinute;
        var perAccount = exports.Zip(runs, (export, run) =>
        {
            var figures = Figures(run.Stats, run.Seconds, needed, new Dictionary<string, long>());
            return new AccountFigures(export.Account.Number, export.ExportId, export.Account.Simulator.Hostname, figures.BulkImports, figures.ContactsImported,
                figures.BulkImportsPerMinute, Math.Round(figures.BulkImportsPerMinute / allowedPerMinute, 4), figures.SteadyStateSeconds, figures.Seconds,
                run.Stats.Throttled429, run.List.Matches);
        }).ToList();
        var first = runs.Select(r => r.Stats.FirstImportAt).Where(t => t is not null).Min();
        var last = runs.Select(r => r.Stats.LastImportAt).Where(t => t is not null).Max();
        var span = first is { } from && last is { } to ? (to - from).TotalSeconds : 0;
        var utilizations = perAccount.Select(a => a.Utilization).Order().ToList();
        return new AccountsFigures(exports.Count,
            span > 0 ? Math.Round(perAccount.Sum(a => a.BulkImports) / span, 2) : 0,
            Math.Round(exports.Count * allowedPerMinute * _options.TimeScale / 60, 2),
            span > 0 ? Math.Round(perAccount.Sum(a => a.ContactsImported) / span, 1) : 0,
            Math.Round(span, 3), utilizations[0], Median(utilizations), utilizations[^1], utilizations.Count(u => u >= 0.99),
            perAccount.All(a => a.ListMatchesMembership), perAccount.Sum(a => a.Throttled429), perAccount);
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : Math.Round((sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2, 4);

    /// <summary>
    /// A reconciliation of the first export with its list, right after its first run: every contact read, status by status, at
    /// the account's request rate (it shares the 5/s with delivery, which is idle now).
    /// </summary>
    private async Task<ReconcileFigures> ReconcileAsync(IGrainFactory grains, string exportId, ActiveCampaignSimulator simulator, CancellationToken cancellationToken)
    {
        _progress.Enter("reconciliation: the whole list read back, status by status");
        var requestsBefore = simulator.State.GetStats().Requests;
        var clock = Stopwatch.StartNew();
        var reconciliations = grains.GetGrain<IReconciliationGrain>(exportId);
        OperationResult<ReconciliationView> started;
        while ((started = await reconciliations.StartAsync("loadtest")).Error is { Kind: OperationErrorKind.Conflict })
        {
            // The first run is closed a moment after its last contact.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        var view = started.Value ?? throw new InvalidOperationException($"Could not start the reconciliation: {started.Error?.Detail}");
        while (view.Status == ReconciliationStatus.Running)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            view = await reconciliations.GetAsync(view.ReconciliationId) ?? throw new InvalidOperationException("the reconciliation disappeared");
        }

        return new ReconcileFigures(Math.Round(clock.Elapsed.TotalSeconds, 3), simulator.State.GetStats().Requests - requestsBefore,
            view.Status.ToString().ToLowerInvariant(), view.Read, view.Missing, view.OptedOut, view.Strangers);
    }

    private static async Task CreateConnectionAsync(IGrainFactory grains, ActiveCampaignSimulator simulator, string connectionId)
    {
        var connection = await grains.GetGrain<IConnectionGrain>(connectionId).CreateAsync(new ConnectionRequest(
            "Load test (simulator)", simulator.Hostname, new SimulatorOptions().ApiKeys[0], AllowContributors: false, DataPrivacyConsent: true,
            ProfileCap: null, CreatedBy: "loadtest"));
        if (connection.Error is { } connectionError)
        {
            throw new InvalidOperationException($"Could not create the load-test connection: {connectionError.Detail}");
        }
    }

    /// <summary>Creates an export of the loaded segment to <paramref name="listId"/> and waits until its shards hold every expected member, or stop changing.</summary>
    private async Task<BackfillFigures> CreateAndBackfillAsync(IGrainFactory grains, ActiveCampaignSimulator simulator, string connectionId, string exportId, string listId,
        ISegmentGrain segment, long expectedMembers, CancellationToken cancellationToken)
    {
        _progress.Enter($"creating export {exportId} to list {listId}: backfill from the segment");
        var mapping = new ContactMapping("EmailAddress", "FirstName", "LastName", null, [new FieldMapping("Tier", 1)], ["orleans-export-loadtest"]);
        var export = grains.GetGrain<IExportGrain>(exportId);
        var clock = Stopwatch.StartNew();
        var created = await export.CreateAsync(new ExportDefinition(
            exportId, $"Load test to list {listId}", connectionId, listId, [GeneratedLoad.SegmentId], mapping, LeaveAction.Unsubscribe, null, "loadtest", DateTimeOffset.UtcNow));
        if (created.Error is { } exportError)
        {
            throw new InvalidOperationException($"Could not create the load-test export {exportId}: {exportError.Detail}");
        }

        var createSeconds = clock.Elapsed.TotalSeconds;
        var status = await export.GetStatusAsync() ?? throw new InvalidOperationException($"export {exportId} disappeared");
        var lastChange = clock.Elapsed;
        while (status.Counters.Members != expectedMembers && clock.Elapsed - lastChange <= BackfillSettled)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            var previous = status.Counters.Members;
            status = await export.GetStatusAsync() ?? throw new InvalidOperationException($"export {exportId} disappeared");
            ShowProgress(status);
            if (status.Counters.Members != previous)
            {
                lastChange = clock.Elapsed;
            }
        }

        // Short of the expected members, the backfill ended with the last change; the figures show the difference and the list check names it.
        var seconds = status.Counters.Members == expectedMembers ? clock.Elapsed.TotalSeconds : lastChange.TotalSeconds;
        ShowProgress(status);
        var stats = simulator.State.GetStats();
        var segmentMembers = (await segment.GetAsync())?.Members ?? 0;
        return new BackfillFigures(exportId, listId, Math.Round(createSeconds, 3), Math.Round(seconds, 3), segmentMembers, status.Counters.Members, expectedMembers,
            status.Counters.Rejected, status.Counters.StateBytes, status.AwaitingFirstRun, stats.ContactsImported + stats.ContactSyncs);
    }

    // Kept out of RunAsync so that nothing there keeps the generated events alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (long Events, int ExpectedMembers, int InvalidEmails) Generate(out List<SegmentEvent>? events)
    {
        var load = GeneratedLoad.Create(_options);
        events = load.Events;
        return (load.Events.Count, load.ExpectedMembers, load.InvalidEmails);
    }

    /// <summary>
    /// The same events, published the same way, to a stream whose subscriber only counts them: the runtime's own
    /// rate on this machine in this process, for <see cref="LoadTestResult.IngestRatioToBareStream"/>. Runs after
    /// the memory figures, so that its stream cache is not counted in them.
    /// </summary>
    private async Task<double> TimeBareStreamAsync(IEventSink bare, IGrainFactory grains, CancellationToken cancellationToken)
    {
        _progress.Enter("bare memory stream: the same events to a subscriber that only counts them");
        Generate(out var events);
        var total = events!.Count;
        var counter = grains.GetGrain<IBareStreamCounterGrain>(GeneratedLoad.SegmentId);
        var clock = Stopwatch.StartNew();
        await PublishAsync(bare, events, cancellationToken);
        events = null;
        while (await counter.GetCountAsync() < total)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
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
    /// Samples progress for the live display and the chart. While events are still coming in it asks the
    /// segment often, to time the end of ingest precisely; then less often.
    /// </summary>
    private async Task SampleAsync(ISegmentGrain segment, SimulatorState simulator, long totalEvents, TaskCompletionSource<double> ingested, CancellationToken cancellationToken)
    {
        var nextSample = TimeSpan.Zero;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var view = await TryGetSegmentAsync(segment, cancellationToken);
                var received = view?.EventsReceived ?? _progress.EventsReceived;
                var elapsed = _clock.Elapsed;
                _progress.EventsReceived = received;
                _progress.SegmentMembers = view?.Members ?? _progress.SegmentMembers;
                _progress.ElapsedSeconds = elapsed.TotalSeconds;
                if (received >= totalEvents)
                {
                    ingested.TrySetResult(elapsed.TotalSeconds);
                }

                if (elapsed >= nextSample)
                {
                    nextSample = elapsed + _options.SampleInterval;
                    var stats = simulator.GetStats();
                    var sample = new Sample(Math.Round(elapsed.TotalSeconds, 3), received, stats.ContactsImported, stats.BulkImports, stats.Throttled429);
                    lock (_samples)
                    {
                        _samples.Add(sample);
                    }

                    _progress.ContactsImported = sample.ContactsImported;
                    _progress.BulkImports = sample.BulkImports;
                    _progress.Throttled429 = sample.Throttled429;
                }

                await Task.Delay(ingested.Task.IsCompleted ? _options.SampleInterval : TimeSpan.FromMilliseconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>With <see cref="LoadTestOptions.KillSilo"/>, the segment grain may be on the killed silo until the cluster declares it dead: null, and the sample keeps the last counts.</summary>
    private async Task<SegmentView?> TryGetSegmentAsync(ISegmentGrain segment, CancellationToken cancellationToken)
    {
        try
        {
            // A call routed to the killed silo is never answered: give up on this sample rather than wait for the response timeout.
            return _options.KillSilo ? await segment.GetAsync().WaitAsync(CallWhileRecovering, cancellationToken) : await segment.GetAsync();
        }
        catch (Exception) when (_options.KillSilo)
        {
            return null;
        }
    }

    /// <param name="Stats">The simulator's counters at the end of the run: nothing reached it before the first run.</param>
    /// <param name="Kill">With <see cref="LoadTestOptions.KillSilo"/>: the silo killed during the run and what followed.</param>
    private sealed record FirstRun(SimulatorStats Stats, double Seconds, RunView Run, ListCheck List, SiloKillFigures? Kill = null);

    private static long Sends(SimulatorStats stats) => stats.ContactsImported + stats.ContactSyncs;

    /// <summary>
    /// The first run with the sending silo killed (kill -9) once <see cref="LoadTestOptions.KillAtFraction"/> of the contacts
    /// were sent. Until ActiveCampaign accepts an import again only the simulator is watched, so that nothing this tool calls
    /// wakes the export sooner than the cluster itself does; then the run is followed to its end as usual, through the survivor.
    /// </summary>
    private async Task<FirstRun> RunFirstRunWithKillAsync(SiloProcessCluster cluster, string exportId, ActiveCampaignSimulator simulator, long needed,
        CancellationToken cancellationToken)
    {
        _progress.Enter("first run: every member to ActiveCampaign; the sending silo is killed a third of the way");
        var clock = Stopwatch.StartNew();
        var control = cluster.Grains.GetGrain<IExportRunsGrain>(exportId);
        var started = await control.StartRunAsync("loadtest", "loadtest");
        var run = started.Value ?? throw new InvalidOperationException($"Could not start the first run: {started.Error?.Detail}");
        var killAt = (long)Math.Ceiling(needed * _options.KillAtFraction);
        while (Sends(simulator.State.GetStats()) < killAt)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }

        var (silo, killedAt) = await cluster.KillSiloOf(cluster.Grains.GetGrain<IExportGrain>(exportId));
        var sentAtKill = Sends(simulator.State.GetStats());
        var runSecondsAtKill = clock.Elapsed.TotalSeconds;
        _progress.Enter($"killed {silo} (kill -9) after {sentAtKill:N0} contacts sent: waiting for the survivor to send again");
        DateTimeOffset resumedAt;
        while (true)
        {
            // Imports that reached ActiveCampaign before the kill are not a resumption, even if answered after it.
            if (simulator.State.GetStats().LastImportAt is { } last && last > killedAt)
            {
                resumedAt = last;
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }

        _progress.Enter($"the survivor sends again ({(resumedAt - killedAt).TotalSeconds:F1} s after the kill): first run to its end");
        var export = cluster.Grains.GetGrain<IExportGrain>(exportId);
        while (true)
        {
            try
            {
                run = await control.GetRunAsync(run.RunId).WaitAsync(CallWhileRecovering, cancellationToken) ?? throw new InvalidOperationException($"Run {run.RunId} disappeared");
                var status = await export.GetStatusAsync().WaitAsync(CallWhileRecovering, cancellationToken) ?? throw new InvalidOperationException("the export disappeared");
                ShowProgress(status);
                if (run.Status is not (RunStatus.Queued or RunStatus.Running) && status.Counters.Pending == 0)
                {
                    break;
                }
            }
            catch (Exception exception) when (exception is not InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // A call that went to the dead silo (failed, or never answered): ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var stats = simulator.State.GetStats();
        var duplicates = Math.Max(0, Sends(stats) - needed);
        var kill = new SiloKillFigures(silo, SiloProcessCluster.SiloCount, MembershipSettings(), needed, sentAtKill, Math.Round(runSecondsAtKill, 3),
            Math.Round((resumedAt - killedAt).TotalSeconds, 3), Math.Round(seconds - runSecondsAtKill, 3), Sends(stats), duplicates,
            needed == 0 ? 0 : Math.Round((double)duplicates / needed, 5));
        return new FirstRun(stats, seconds, run, CheckList(simulator), kill);
    }

    /// <summary>The silos' membership timeouts: the production defaults, with any <c>--silo Orleans:Membership:*</c> over them.</summary>
    private string MembershipSettings()
    {
        var defaults = new OrleansExport.Silo.Hosting.MembershipSection();
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["ProbeTimeout"] = defaults.ProbeTimeout.ToString(),
            ["NumMissedProbesLimit"] = defaults.NumMissedProbesLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NumVotesForDeathDeclaration"] = defaults.NumVotesForDeathDeclaration.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DeathVoteExpirationTimeout"] = defaults.DeathVoteExpirationTimeout.ToString(),
        };
        foreach (var setting in _options.SiloSettings.Where(s => s.StartsWith("Orleans:Membership:", StringComparison.Ordinal)))
        {
            var (key, value) = setting["Orleans:Membership:".Length..].Split('=', 2) is [var k, var v] ? (k, v) : (setting, "");
            settings[key] = value;
        }

        return string.Join(", ", settings.Select(p => $"{p.Key} {p.Value}"));
    }

    /// <summary>
    /// The exports' first runs, started together (one export per account): every member is sent, so each export works at
    /// its account's ceiling from its first import to its last. Each ends when nothing is pending, that is when its
    /// ActiveCampaign accepted every member; its list must then equal the membership. Progress shows the first export.
    /// </summary>
    private async Task<IReadOnlyList<FirstRun>> RunFirstRunsAsync(IGrainFactory grains, List<(SimulatedAccount Account, string ExportId)> exports,
        CancellationToken cancellationToken)
    {
        _progress.Enter(exports.Count == 1 ? "first run: every member to ActiveCampaign, at the ceiling"
            : $"first runs of {exports.Count} exports, one per account, at once: every member to each account, at its ceiling");
        var clock = Stopwatch.StartNew();
        var started = new List<RunView>();
        foreach (var (_, exportId) in exports)
        {
            var start = await grains.GetGrain<IExportRunsGrain>(exportId).StartRunAsync("loadtest", "loadtest");
            started.Add(start.Value ?? throw new InvalidOperationException($"Could not start the first run of {exportId}: {start.Error?.Detail}"));
        }

        return await Task.WhenAll(exports.Select((export, i) => FinishFirstRunAsync(grains, export.ExportId, started[i], export.Account.Simulator, clock, showProgress: i == 0, cancellationToken)));
    }

    private async Task<FirstRun> FinishFirstRunAsync(IGrainFactory grains, string exportId, RunView run, ActiveCampaignSimulator simulator, Stopwatch clock, bool showProgress,
        CancellationToken cancellationToken)
    {
        var control = grains.GetGrain<IExportRunsGrain>(exportId);
        var export = grains.GetGrain<IExportGrain>(exportId);
        while (run.Status is RunStatus.Queued or RunStatus.Running)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            run = await control.GetRunAsync(run.RunId) ?? throw new InvalidOperationException($"Run {run.RunId} disappeared");
            var status = await export.GetStatusAsync() ?? throw new InvalidOperationException("the export disappeared");
            if (showProgress)
            {
                ShowProgress(status);
            }
        }

        // A member is pending until ActiveCampaign accepted it.
        while ((await export.GetStatusAsync() ?? throw new InvalidOperationException("the export disappeared")).Counters.Pending > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new FirstRun(simulator.State.GetStats(), seconds, run, CheckList(simulator));
    }

    private void ShowProgress(ExportStatus status)
    {
        _progress.Members = status.Counters.Members;
        _progress.Pending = status.Counters.Pending;
        _progress.InSync = status.Counters.InSync;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ListCheck CheckList(ActiveCampaignSimulator simulator) =>
        ListCheck.Compare(simulator.State.GetListContacts(ListId),
            GeneratedLoad.Profiles(_options).Where(p => p.ExpectedEmail is not null).Select(p => p.ExpectedEmail!));

    /// <summary>
    /// The live heap (in-process silo only) once the shards' timers have written their latest state: the
    /// memory storage's copy of it is part of what a member costs.
    /// </summary>
    private async Task<long?> MeasureSettledHeapAsync(ILoadTarget target, CancellationToken cancellationToken)
    {
        if (!target.SiloInProcess)
        {
            return null;
        }

        _progress.Enter("measuring the heap");
        await Task.Delay(target.ShardPersistInterval + TimeSpan.FromSeconds(1), cancellationToken);
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
        long SegmentMembers,
        BackfillFigures? Backfill,
        FirstRun? Run,
        BackfillFigures? SecondExport,
        IReadOnlyDictionary<string, long> ThrottledByEndpoint,
        long Members,
        long? StateBytes,
        long? HeapBaseline,
        long? HeapAfterLoad,
        long? HeapAfterSecondExport,
        long PeakWorkingSet,
        double? BareStreamSeconds,
        (StorageTotals Ingest, StorageTotals? Run)? Storage,
        BudgetFigures? Budget,
        long SegmentStateBytes,
        long? StreamCacheBytes,
        ReconcileFigures? Reconcile,
        AccountsFigures? Accounts);

    private LoadTestResult Compute(RunMeasurements m)
    {
        var limits = new SimulatorOptions();
        var scale = _options.TimeScale;
        var run = m.Run is { } firstRun ? Figures(firstRun.Stats, firstRun.Seconds, m.ExpectedMembers, m.ThrottledByEndpoint) : null;
        var usedPerMinute = run?.BulkImportsPerMinute ?? 0;
        var contactsPerMinute = usedPerMinute * (run?.ContactsPerImport ?? 0);
        var contactsSent = run is null ? 0 : run.ContactsImported + run.ContactSyncs;

        // Every first run (one per account) delivers one contact per member its list needs; the list check says whether it did.
        var contactsDelivered = (run?.ContactsNeeded ?? 0) * (m.Accounts?.Count ?? 1);
        var bareEventsPerSecond = m.BareStreamSeconds is { } bareSeconds ? Math.Round(m.TotalEvents / bareSeconds) : (double?)null;
        return new LoadTestResult
        {
            IngestEventsPerSecond = Math.Round(m.TotalEvents / m.IngestSeconds),
            BareStreamEventsPerSecond = bareEventsPerSecond,
            IngestRatioToBareStream = bareEventsPerSecond is { } bareRate ? Math.Round(m.TotalEvents / m.IngestSeconds / bareRate, 3) : null,
            BackfillSeconds = m.Backfill?.Seconds,
            BulkImportsPerMinuteUsed = Math.Round(usedPerMinute, 2),
            BulkImportsPerMinuteAllowed = limits.BulkImportsPerMinute,
            Utilization = Math.Round(usedPerMinute / limits.BulkImportsPerMinute, 4),
            AvgContactsPerImport = run?.ContactsPerImport ?? 0,
            Throttled429 = m.Accounts?.Throttled429 ?? m.Run?.Stats.Throttled429 ?? 0,
            ProjectedMinutesPer1MProfiles = contactsPerMinute > 0 ? Math.Round(1_000_000 / contactsPerMinute, 2) : double.PositiveInfinity,
            BytesPerMember = PerMember(m.HeapAfterLoad - m.HeapBaseline, m.Members),
            BytesPerMemberSecondExport = PerMember(m.HeapAfterSecondExport - m.HeapAfterLoad, m.SecondExport?.Members ?? 0),
            PeakWorkingSetBytes = m.PeakWorkingSet,
            DuplicateSendRatio = m.ExpectedMembers == 0 ? 0 : Math.Round((double)contactsSent / m.ExpectedMembers, 5),
            ListMatchesMembership = m.Run?.List.Matches,
            DuplicatesAfterKill = m.Run?.Kill?.Duplicates,
            DuplicateRatioAfterKill = m.Run?.Kill?.DuplicateRatio,
            ResumeSecondsAfterKill = m.Run?.Kill?.ResumeSeconds,
            ReconcileSeconds = m.Reconcile?.Seconds,
            Reconcile = m.Reconcile,
            Accounts = m.Accounts,
            Kill = m.Run?.Kill,
            Setup = new RunSetup(_options.Profiles, scale, _options.Ingest.ToString().ToLowerInvariant(), (_options.KillSilo ? StorageMode.Azurite : _options.Storage).ToString().ToLowerInvariant(), _options.IngestOnly, m.Target.SiloInProcess, m.Target.ShardCount,
                _options.Churn.ToString(), Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                RedactedCommandLine(), m.StartedAt),
            Ingest = new IngestFigures(m.TotalEvents, m.ExpectedMembers, m.InvalidEmails, m.SegmentMembers, Math.Round(m.GenerateSeconds, 3), Math.Round(m.PublishSeconds, 3),
                Math.Round(m.IngestSeconds, 3), Math.Round(m.IngestCpuSeconds, 3), Math.Round(m.IngestCpuSeconds * 1e6 / m.TotalEvents, 2)),
            Backfill = m.Backfill,
            Storage = m.Storage is var (ingest, firstRunStorage) ? new StorageFigures(
                ingest.Writes, Math.Round(ingest.Writes * 1000.0 / m.TotalEvents, 2), ingest.BytesWritten, PerMember(ingest.BytesWritten, m.SegmentMembers),
                firstRunStorage?.Writes, firstRunStorage?.BytesWritten, PerMember(firstRunStorage?.BytesWritten, m.Members), PerMember(firstRunStorage?.BytesWritten, contactsDelivered)) : null,
            Run = run,
            Budget = m.Budget,
            RunStatus = m.Run?.Run.Status.ToString(),
            SecondExport = m.SecondExport,
            Memory = new MemoryFigures(m.HeapBaseline, m.HeapAfterLoad, m.HeapAfterSecondExport, m.Members, m.StateBytes,
                m.StateBytes is { } bytes && m.Members > 0 ? Math.Round((double)bytes / m.Members, 1) : null,
                PerMember(m.SegmentStateBytes, m.Members), PerMember(m.StreamCacheBytes, m.Members),
                PerMember(m.HeapAfterLoad - m.HeapBaseline - (m.StateBytes ?? 0) - m.SegmentStateBytes - m.StreamCacheBytes, m.Members)),
            List = m.Run?.List,
            Samples = [.. _samples],
            SiloWarnings = m.Target.Warnings,
        };
    }

    private static double? PerMember(long? bytes, long members) => bytes is { } b && members > 0 ? Math.Round((double)b / members, 1) : null;

    /// <summary>The command line for the report, with the values of <c>--api-key</c> and <c>--azurite-connection-string</c> (it holds an account key) masked.</summary>
    private static string RedactedCommandLine()
    {
        var args = Environment.GetCommandLineArgs();
        for (var i = 0; i < args.Length; i++)
        {
            foreach (var secret in (string[])["--api-key", "--azurite-connection-string"])
            {
                if (args[i] == secret && i + 1 < args.Length)
                {
                    args[i + 1] = "****";
                }
                else if (args[i].StartsWith(secret + "=", StringComparison.Ordinal))
                {
                    args[i] = secret + "=****";
                }
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
