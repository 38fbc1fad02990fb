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
/// outcomes were handed over. After <paramref name="entriesPerGeneration"/> entries (or a failed append) the imports
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
    public Task AcceptedAsync(AcceptedImport import) =>
        AppendAsync(ShardJournalEntry.Accepted([import]), () => _outstanding[import.BatchId] = import);

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
            await AppendAsync(ShardJournalEntry.Confirmed([.. batchIds]), () =>
            {
                foreach (var batchId in batchIds)
                {
                    _outstanding.Remove(batchId);
                }
            });
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

    private async Task AppendAsync(ShardJournalEntry entry, Action applied)
    {
        if (journal is null)
        {
            return;
        }

        await _lock.WaitAsync();
        try
        {
            if (_mustStartGeneration || _entries >= entriesPerGeneration)
            {
                await StartGenerationAsync(journal);
            }

            await journal.AppendAsync(Key, Generation, entry, CancellationToken.None);
            _entries++;
            applied();
        }
        catch (Exception)
        {
            // Whether the append (or the state naming a new generation) landed is unknown: the next append starts anew.
            _mustStartGeneration = true;
            throw;
        }
        finally
        {
            _lock.Release();
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not journal that {Count} accepted imports were confirmed ({Error}); a recovery would ask about them again")]
    private partial void LogConfirmationNotJournaled(string exportId, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not delete an old journal of accepted imports ({Error}); the next recovery deletes it")]
    private partial void LogOldGenerationKept(string exportId, string error);
}
