using Microsoft.Extensions.Logging;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Connections;

namespace OrleansExport.Grains.Reconciliations;

/// <summary>
/// Reconciles one export (key: export id) with its ActiveCampaign list: reads every contact of the list, status by
/// status (1, 2, 3; 100 a page, paced by the client with the account's other requests), and lets each export shard
/// learn from it (<see cref="ExportShards.ShardReconciliation"/>): members deleted in the app are sent again, contacts
/// unsubscribed or bounced by someone else become opted out, contacts the export never sent are counted as strangers.
/// It unsubscribes nobody.
/// </summary>
/// <remarks>
/// The work runs in this activation; a reconciliation found running when the grain activates was cut short by a lost
/// silo and is marked failed (a new one can start at once: reading again is harmless).
/// </remarks>
public sealed partial class ReconciliationGrain(
    [PersistentState("reconciliations", Constants.ExportStore)] IPersistentState<ReconciliationState> state,
    IActiveCampaignClient client,
    ApiKeyProtector protector,
    TimeProvider time,
    ILogger<ReconciliationGrain> logger) : Grain, IReconciliationGrain
{
    public const int HistoryLength = 20;

    /// <summary>Contacts read before the shards are told: 10 pages, one grain call per shard.</summary>
    private const int ContactsPerChunk = 1_000;

    private static readonly ContactListStatus[] StatusesRead = [ContactListStatus.Active, ContactListStatus.Unsubscribed, ContactListStatus.Bounced];

    private bool _working;

    private string ExportId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Current is { } interrupted)
        {
            Replace(interrupted with { Status = ReconciliationStatus.Failed, FinishedAt = time.GetUtcNow(), Error = "Interrupted: the silo running it stopped. Start another." });
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private ReconciliationView? Current => state.State.Reconciliations.LastOrDefault(r => r.Status == ReconciliationStatus.Running);

    public async Task<OperationResult<ReconciliationView>> StartAsync(string by)
    {
        if (Current is { } current)
        {
            return OperationResult<ReconciliationView>.Fail(OperationErrorKind.Conflict,
                $"Reconciliation {current.ReconciliationId} of export '{ExportId}' is still running; wait for it to finish.");
        }

        var export = GrainFactory.GetGrain<IExportGrain>(ExportId);
        if (await export.GetStatusAsync() is not { } status)
        {
            return OperationResult<ReconciliationView>.Fail(OperationErrorKind.NotFound, $"Export '{ExportId}' does not exist.");
        }

        var runs = await GrainFactory.GetGrain<IExportRunsGrain>(ExportId).ListRunsAsync();
        if (runs.FirstOrDefault(r => r.Status is RunStatus.Queued or RunStatus.Running) is { } run)
        {
            return OperationResult<ReconciliationView>.Fail(OperationErrorKind.Conflict,
                $"Run {run.RunId} of export '{ExportId}' is {run.Status.ToString().ToLowerInvariant()}; reconcile once it has finished.");
        }

        if (await GrainFactory.GetGrain<IConnectionGrain>(status.Definition.ConnectionId).GetCredentialsAsync() is not { } credentials)
        {
            return OperationResult<ReconciliationView>.Fail(OperationErrorKind.Conflict, $"Export '{ExportId}' has no connection any more; it cannot reconcile.");
        }

        var view = new ReconciliationView($"rec-{Guid.NewGuid():N}"[..16], ReconciliationStatus.Running, time.GetUtcNow(), null, 0, 0, 0, 0, 0);
        state.State.Reconciliations.Add(view);
        if (state.State.Reconciliations.Count > HistoryLength)
        {
            state.State.Reconciliations.RemoveRange(0, state.State.Reconciliations.Count - HistoryLength);
        }

        await state.WriteStateAsync();
        LogStarted(ExportId, view.ReconciliationId, by);
        var account = new ActiveCampaignAccount(credentials.Hostname, protector.Unprotect(credentials.ProtectedApiKey));
        var shards = Enumerable.Range(0, await export.GetShardCountAsync())
            .Select(i => GrainFactory.GetGrain<IExportShardGrain>(ExportShards.ExportShardGrain.Key(ExportId, i))).ToArray();

        // Runs on in this activation's turns after the answer; the activation stays until it ends.
        _working = true;
        DelayDeactivation(TimeSpan.FromDays(1));
        _ = ReconcileAsync(view, account, status.Definition.ListId, shards);
        return OperationResult<ReconciliationView>.Ok(view);
    }

    public Task<IReadOnlyList<ReconciliationView>> ListAsync() =>
        Task.FromResult<IReadOnlyList<ReconciliationView>>([.. state.State.Reconciliations.AsEnumerable().Reverse()]);

    public Task<ReconciliationView?> GetAsync(string reconciliationId) =>
        Task.FromResult(state.State.Reconciliations.FirstOrDefault(r => r.ReconciliationId == reconciliationId));

    public async Task ClearAsync()
    {
        await state.ClearStateAsync();
        if (!_working)
        {
            DeactivateOnIdle();
        }
    }

    private async Task ReconcileAsync(ReconciliationView view, ActiveCampaignAccount account, string listId, IExportShardGrain[] shards)
    {
        try
        {
            await Task.WhenAll(shards.Select(shard => shard.BeginReconciliationAsync(view.ReconciliationId)));
            foreach (var status in StatusesRead)
            {
                var contacts = new List<ListedContact>(ContactsPerChunk);
                int? offset = 0;
                while (offset is { } at)
                {
                    var page = await client.GetListContactsPageAsync(account, listId, status, at, CancellationToken.None);
                    contacts.AddRange(page.Contacts);
                    view = view with { Read = view.Read + page.Contacts.Count };
                    offset = page.NextOffset;
                    if (contacts.Count >= ContactsPerChunk || offset is null)
                    {
                        view = await TellShardsAsync(view, shards, status, contacts);
                        contacts.Clear();
                        await SaveAsync(view);
                    }
                }
            }

            var ends = await Task.WhenAll(shards.Select(shard => shard.EndReconciliationAsync(view.ReconciliationId)));
            view = view with
            {
                Missing = ends.Sum(e => (long)e.Missing),
                Resent = ends.Sum(e => (long)e.Resent),
                Status = ends.All(e => e.Complete) ? ReconciliationStatus.Succeeded : ReconciliationStatus.Failed,
                Error = ends.All(e => e.Complete) ? null : "Some of the export's shards restarted, or the export moved to another list, while the list was read: members missing from the list were not looked for. Start another.",
                FinishedAt = time.GetUtcNow(),
            };
        }
        catch (Exception exception)
        {
            // The client's exceptions name the account and the status, never the key.
            LogFailed(ExportId, view.ReconciliationId, exception.GetType().Name, exception.Message);
            view = view with { Status = ReconciliationStatus.Failed, FinishedAt = time.GetUtcNow(), Error = $"Reading the list failed: {exception.Message}" };
        }

        LogFinished(ExportId, view.ReconciliationId, view.Status, view.Read, view.Missing, view.OptedOut, view.Strangers);
        await SaveAsync(view);
        _working = false;
        DelayDeactivation(TimeSpan.Zero);
    }

    private static async Task<ReconciliationView> TellShardsAsync(ReconciliationView view, IExportShardGrain[] shards, ContactListStatus status, List<ListedContact> contacts)
    {
        if (contacts.Count == 0)
        {
            return view;
        }

        string[] chunk = [.. contacts.Select(c => c.Email)];
        string[] contactIds = [.. contacts.Select(c => c.Id)];
        var answers = await Task.WhenAll(shards.Select(shard => shard.ReconcileChunkAsync(view.ReconciliationId, (int)status, chunk, contactIds)));
        var strangers = Enumerable.Range(0, chunk.Length).Count(i => !answers.Any(a => a.Matched[i]));
        return view with { Strangers = view.Strangers + strangers, OptedOut = view.OptedOut + answers.Sum(a => a.OptedOut) };
    }

    private async Task SaveAsync(ReconciliationView view)
    {
        Replace(view);
        await state.WriteStateAsync();
    }

    private void Replace(ReconciliationView view)
    {
        var index = state.State.Reconciliations.FindIndex(r => r.ReconciliationId == view.ReconciliationId);
        if (index >= 0)
        {
            state.State.Reconciliations[index] = view;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: reconciliation {ReconciliationId} started by {By}")]
    private partial void LogStarted(string exportId, string reconciliationId, string by);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: reconciliation {ReconciliationId} failed: {Error}: {Message}")]
    private partial void LogFailed(string exportId, string reconciliationId, string error, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: reconciliation {ReconciliationId} {Status}: {Read} read, {Missing} missing, {OptedOut} opted out, {Strangers} strangers")]
    private partial void LogFinished(string exportId, string reconciliationId, ReconciliationStatus status, long read, long missing, long optedOut, long strangers);
}
