using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The imports of one export that ActiveCampaign accepted and whose outcomes the shards have not all been handed yet,
/// journaled (durable profile) so that a crash of the delivery loop does not send their contacts again: the next
/// activation asks import/info about them (<see cref="ImportRecovery"/>). Without a journal (memory profile) it does nothing.
/// </summary>
/// <remarks>
/// Append-only, under the journal key <c>export/{id}/imports</c>: one entry per accepted import (its batch id and, per
/// contact, profile id, action, hash, email and import failures: about 70 bytes a contact) and one per delivery whose
/// outcomes were handed over, those written while an append is under way gathered into the next one. After <paramref name="entriesPerGeneration"/> entries (or a failed append) the imports
/// still outstanding start a new generation, named in the export's state; the old one is deleted, or, after a crash in
/// between, deleted unread by the next recovery.
/// </remarks>
public sealed partial class AcceptedImports(
    string exportId,
    IShardJournal? journal,
    Func<ExportState> exportState,
    Func<Task> writeState,
    ILogger logger,
    int entriesPerGeneration = AcceptedImports.DefaultEntriesPerGeneration)
{
    /// <summary>Well under an append blob's 50,000 blocks; a new generation costs one write of the export's state.</summary>
    public const int DefaultEntriesPerGeneration = 1_000;

    private const string InitialGeneration = "initial";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly OrderedDictionary<string, AcceptedImport> _outstanding = new(StringComparer.Ordinal);
    private GatheredWrite _gathering = new();
    private int _entries;
    private bool _mustStartGeneration;

    public static string JournalKey(string exportId) => $"export/{exportId}/imports";

    /// <summary>Imports accepted and not yet confirmed, oldest first.</summary>
    public IReadOnlyList<AcceptedImport> Outstanding => [.. _outstanding.Values];

    private string Key => JournalKey(exportId);

    private string Generation => exportState().AcceptedImportsGeneration ?? InitialGeneration;

    /// <summary>Reads what an earlier activation left outstanding (and deletes older generations).</summary>
    public async Task<IReadOnlyList<AcceptedImport>> RecoverAsync()
    {
        if (journal is null)
        {
            return [];
        }

        var entries = await journal.RecoverAsync(Key, Generation, CancellationToken.None);
        await _lock.WaitAsync();
        try
        {
            _entries = entries.Count;
            _outstanding.Clear();
            foreach (var import in ImportOutcomes.Outstanding(entries))
            {
                _outstanding[import.BatchId] = import;
            }
        }
        finally
        {
            _lock.Release();
        }

        return Outstanding;
    }

    /// <summary>Returns once the import is durable.</summary>
    public Task AcceptedAsync(AcceptedImport import) => WriteAsync(gathered => gathered.Accepted.Add(import));

    /// <summary>
    /// The shards were handed these imports' outcomes: recovery need not ask about them again. A failure to record it
    /// is only logged: a recovery would hand the same outcomes again, which changes nothing.
    /// </summary>
    public async Task ConfirmedAsync(IReadOnlyCollection<string> batchIds)
    {
        if (batchIds.Count == 0)
        {
            return;
        }

        try
        {
            await WriteAsync(gathered => gathered.Confirmed.AddRange(batchIds));
        }
        catch (Exception exception)
        {
            LogConfirmationNotJournaled(exportId, batchIds.Count, exception.GetType().Name);
        }
    }

    /// <summary>The export was deleted.</summary>
    public async Task DeleteAllAsync()
    {
        if (journal is not null)
        {
            await journal.DeleteAllAsync(Key, CancellationToken.None);
        }

        _outstanding.Clear();
    }

    /// <summary>
    /// Group commit: what callers add while an append is under way goes in the next one, as a single entry, so that one
    /// append at a time carries every import accepted meanwhile (appends to one journal cannot overlap anyway).
    /// </summary>
    private async Task WriteAsync(Action<GatheredWrite> add)
    {
        if (journal is null)
        {
            return;
        }

        var mine = _gathering;
        add(mine);
        await _lock.WaitAsync();
        try
        {
            if (!mine.Written.Task.IsCompleted)
            {
                _gathering = new GatheredWrite();
                await AppendAsync(journal, mine);
            }
        }
        finally
        {
            _lock.Release();
        }

        await mine.Written.Task;
    }

    private async Task AppendAsync(IShardJournal journal, GatheredWrite gathered)
    {
        try
        {
            if (_mustStartGeneration || _entries >= entriesPerGeneration)
            {
                await StartGenerationAsync(journal);
            }

            await journal.AppendAsync(Key, Generation, gathered.ToEntry(), CancellationToken.None);
            _entries++;
        }
        catch (Exception exception)
        {
            // Whether the append (or the state naming a new generation) landed is unknown: the next append starts anew.
            _mustStartGeneration = true;
            gathered.Written.SetException(exception);
            return;
        }

        foreach (var import in gathered.Accepted)
        {
            _outstanding[import.BatchId] = import;
        }

        foreach (var batchId in gathered.Confirmed)
        {
            _outstanding.Remove(batchId);
        }

        gathered.Written.SetResult();
    }

    /// <summary>Copies the outstanding imports into a new generation, names it in the export's state, deletes the old one.</summary>
    private async Task StartGenerationAsync(IShardJournal journal)
    {
        var old = Generation;
        var next = Guid.NewGuid().ToString("N");
        if (_outstanding.Count > 0)
        {
            await journal.AppendAsync(Key, next, ShardJournalEntry.Accepted([.. _outstanding.Values]), CancellationToken.None);
        }

        exportState().AcceptedImportsGeneration = next;
        await writeState();
        _entries = _outstanding.Count > 0 ? 1 : 0;
        _mustStartGeneration = false;
        try
        {
            await journal.DeleteAsync(Key, old, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogOldGenerationKept(exportId, exception.GetType().Name);
        }
    }

    /// <summary>Imports accepted and confirmed since the last append began: the next entry (accepted ones read first).</summary>
    private sealed class GatheredWrite
    {
        public List<AcceptedImport> Accepted { get; } = [];

        public List<string> Confirmed { get; } = [];

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ShardJournalEntry ToEntry() =>
            new(0, [], ImportsAccepted: Accepted.Count > 0 ? [.. Accepted] : null, ImportsConfirmed: Confirmed.Count > 0 ? [.. Confirmed] : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not journal that {Count} accepted imports were confirmed ({Error}); a recovery would ask about them again")]
    private partial void LogConfirmationNotJournaled(string exportId, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not delete an old journal of accepted imports ({Error}); the next recovery deletes it")]
    private partial void LogOldGenerationKept(string exportId, string error);
}
