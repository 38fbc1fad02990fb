using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Silo.Api;
using OrleansExport.Simulator;

namespace OrleansExport.Demo;

/// <summary>
/// The embedded default's main job: starts the ActiveCampaign simulator in-process, creates a demo
/// connection, feeds <c>Demo:Profiles</c> generated events through the real ingest path into a segment,
/// exports the segment and runs the export, and prints progress until the simulator's list is exactly
/// the expected membership.
/// </summary>
public sealed partial class DemoRunner(
    IGrainFactory grains,
    ISegmentEventPublisher publisher,
    DemoSettings settings,
    IOptions<ActiveCampaignOptions> activeCampaign,
    IHostApplicationLifetime lifetime,
    ILogger<DemoRunner> logger) : BackgroundService
{
    public const string ConnectionId = "demo";
    public const string ExportId = "demo";
    public const string SegmentId = "demo-customers";
    public const string ListId = "1";

    private ActiveCampaignSimulator? _simulator;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        try
        {
            await RunDemoAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            LogDemoFailed(exception);
        }
    }

    private async Task RunDemoAsync(CancellationToken stoppingToken)
    {
        var limits = activeCampaign.Value.Limits;
        var simulatorOptions = new SimulatorOptions { TimeScale = limits.TimeScale };
        _simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions, ct: stoppingToken);
        Console.WriteLine($"Demo: ActiveCampaign simulator on {_simulator.BaseAddress} (limits: {limits.RequestsPerSecond} req/s, {limits.BulkImportsPerMinute} bulk imports/min, time scale {limits.TimeScale})");

        var created = await grains.GetGrain<IConnectionGrain>(ConnectionId).CreateAsync(new ConnectionRequest(
            "Demo account (simulator)", _simulator.Hostname, simulatorOptions.ApiKeys[0], AllowContributors: true, DataPrivacyConsent: true, ProfileCap: null, CreatedBy: "demo"));
        if (created.Error is { } connectionError)
        {
            throw new InvalidOperationException($"demo connection: {connectionError.Detail}");
        }

        // The segment first, as upstream would have it before anyone exports it; then the export, which starts with
        // the segment's members and sends nothing until its first run.
        var generated = SegmentEventGenerator.Generate(settings.Profiles, SegmentId, new ChurnOptions());
        var clock = Stopwatch.StartNew();
        await publisher.PublishAsync(generated.Events, stoppingToken);
        var segment = await WaitForSegmentAsync(generated.Events.Count, stoppingToken);
        Console.WriteLine($"Demo: {generated.Events.Count} events for {settings.Profiles} profiles ingested in {clock.Elapsed.TotalSeconds:F1} s: " +
                          $"segment {SegmentId} has {segment.Members} members " +
                          $"(expected list: {generated.ExpectedEmailsByProfile.Count} subscribed contacts, {generated.InvalidEmails} invalid emails to reject)");

        var mapping = new ContactMapping("EmailAddress", "FirstName", "LastName", null, [new FieldMapping("Tier", 1)], ["orleans-export-demo"]);
        var export = await grains.GetGrain<IExportGrain>(ExportId).CreateAsync(new ExportDefinition(
            ExportId, "Demo customers", ConnectionId, ListId, [SegmentId], mapping, LeaveAction.Unsubscribe, null, "demo", DateTimeOffset.UtcNow));
        if (export.Error is { } exportError)
        {
            throw new InvalidOperationException($"demo export: {exportError.Detail}");
        }

        var run = await grains.GetGrain<IExportRunsGrain>(ExportId).StartRunAsync("demo", "demo");
        if (run.Error is { } runError)
        {
            throw new InvalidOperationException($"demo run: {runError.Detail}");
        }

        Console.WriteLine($"Demo: export {ExportId} created with the segment's members; its first run {run.Value!.RunId} sends them.");

        var expected = generated.ExpectedEmailsByProfile.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            var status = await grains.GetGrain<IExportGrain>(ExportId).GetStatusAsync();
            var subscribed = _simulator.State.GetListContacts(ListId).Where(c => c.Status == 1).Select(c => c.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var inStep = subscribed.SetEquals(expected) && status!.Counters.Pending == 0;
            Console.WriteLine($"Demo: {clock.Elapsed.TotalSeconds,6:F1} s  members {status!.Counters.Members}  in sync {status.Counters.InSync}  pending {status.Counters.Pending}  " +
                              $"rejected {status.Counters.Rejected}  list {subscribed.Count}/{expected.Count}");
            if (inStep)
            {
                var stats = _simulator.State.GetStats();
                var avg = stats.BulkImports == 0 ? 0 : (double)stats.ContactsImported / stats.BulkImports;
                Console.WriteLine($"Demo: the list is in step: {expected.Count} contacts in {clock.Elapsed.TotalSeconds:F1} s, " +
                                  $"{stats.Requests} ActiveCampaign requests ({stats.BulkImports} bulk imports, {avg:F1} contacts per import, {stats.Throttled429} throttled).");
                await ShowAnOptOutAsync(expected.Order(StringComparer.OrdinalIgnoreCase).First(), stoppingToken);
                Console.WriteLine("Demo: still serving; post more events or start a run through the API.");
                return;
            }
        }
    }

    /// <summary>
    /// A person unsubscribes through a campaign's link in ActiveCampaign (the simulator); a reconciliation reads the list,
    /// and OrleansExport knows the contact is opted out: it will never subscribe it again.
    /// </summary>
    private async Task ShowAnOptOutAsync(string email, CancellationToken stoppingToken)
    {
        _simulator!.State.Unsubscribe(email, ListId);
        Console.WriteLine($"Demo: {email} unsubscribes through a campaign's link in ActiveCampaign.");
        var reconciliations = grains.GetGrain<IReconciliationGrain>(ExportId);
        OperationResult<ReconciliationView> started;
        while ((started = await reconciliations.StartAsync("demo")).Error is { Kind: OperationErrorKind.Conflict })
        {
            // The first run is still being closed: it ends within a second of its last contact.
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
        }

        if (started.Error is { } error)
        {
            throw new InvalidOperationException($"demo reconciliation: {error.Detail}");
        }

        ReconciliationView? done;
        while ((done = await reconciliations.GetAsync(started.Value!.ReconciliationId)) is { Status: ReconciliationStatus.Running })
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }

        var counters = (await grains.GetGrain<IExportGrain>(ExportId).GetStatusAsync())!.Counters;
        Console.WriteLine($"Demo: OrleansExport noticed: a reconciliation read {done!.Read} contacts and found {done.OptedOut} opted out. " +
                          $"{email} is opted out (export optedOut {counters.OptedOut}) and will be left alone: OrleansExport never subscribes it again; only the person can.");
    }

    /// <summary>The published events reach the segment through the stream: wait until it has applied them all.</summary>
    private async Task<SegmentView> WaitForSegmentAsync(int events, CancellationToken stoppingToken)
    {
        while (true)
        {
            if (await grains.GetGrain<ISegmentGrain>(SegmentId).GetAsync() is { } segment && segment.EventsReceived >= events)
            {
                return segment;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var cancelled = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The demo failed")]
    private partial void LogDemoFailed(Exception exception);
}
