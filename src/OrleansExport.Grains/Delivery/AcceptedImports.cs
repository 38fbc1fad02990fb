using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The journal of one export's deliveries (durable profile): each import ActiveCampaign accepted, journaled before
/// import/info is asked, so that a crash of the delivery loop does not send its contacts again (the next activation asks
/// about it: <see cref="ImportRecovery"/>); and what each delivery came to (<see cref="DeliveredOutcomes"/>, numbered),
/// journaled once for all the export's shards before they are handed the outcomes: the shards do not journal them
/// themselves, and one that comes back replays from here those its snapshot lacks. Without a journal (memory profile)
/// it does nothing.
/// </summary>
/// <remarks>
/// Append-only, under the journal key <c>export/{id}/imports</c>; what callers add while an append is under way goes in
/// the next one (group commit). A generation ends once it holds the deliveries of <paramref name="contactsPerGeneration"/>
/// contacts or <see cref="MaxEntriesPerGeneration"/> entries: every shard writes its snapshot first
/// (<paramref name="persistShards"/>, which answers the lowest delivery all of them now hold), then the imports still
/// outstanding and the deliveries some shard may lack start a new generation, named in the export's state with the
/// sequence reached; the old one is deleted, or, after a crash in between, deleted unread by the next recovery.
/// </remarks>
public sealed partial class AcceptedImports(
    string exportId,
    IShardJournal? journal,
    Func<ExportState> exportState,
    Func<Task> writeState,
    Func<Task<long>> persistShards,
    Func<long> contactsPerGeneration,
    ILogger logger)
{
    /// <summary>Well under an append blob's 50,000 blocks.</summary>
    public const int MaxEntriesPerGeneration = 10_000;

    /// <summary>More deliveries than one activation ever numbers: the next starts this far past the last number saved.</summary>
    public const long SequencesPerActivation = 1L << 32;

    private const string InitialGeneration = "initial";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly OrderedDictionary<string, AcceptedImport> _outstanding = new(StringComparer.Ordinal);
    private GatheredWrite _gathering = new();
    private int _entries;
    private long _contactsDelivered;
    private long _nextGenerationAt = -1;
    private long _sequence;

    public static string JournalKey(string exportId) => $"export/{exportId}/imports";

    /// <summary>Imports accepted and not yet delivered, oldest first.</summary>
    public IReadOnlyList<AcceptedImport> Outstanding => [.. _outstanding.Values];

    public bool Durable => journal is not null;

    /// <summary>The number the last delivery was given (0 without a journal).</summary>
    public long LastSequence => _sequence;

    private string Key => JournalKey(exportId);

    private string Generation => exportState().AcceptedImportsGeneration ?? InitialGeneration;

    /// <summary>
    /// Reads what an earlier activation journaled (and deletes older generations): the imports it left outstanding, and
    /// its deliveries, which it may not have handed to every shard.
    /// </summary>
    public async Task<JournalContents> RecoverAsync()
    {
        if (journal is null)
        {
            return ImportOutcomes.Read([]);
        }

        var entries = await journal.RecoverAsync(Key, Generation, CancellationToken.None);
        var contents = ImportOutcomes.Read(entries);
        await _lock.WaitAsync();
        try
        {
            // Numbers the gone activation gave and never journaled may be held by a shard: this one starts past all of them.
            var start = Math.Max(exportState().DeliveriesSequence, contents.LastSequence) + SequencesPerActivation;
            exportState().DeliveriesSequence = start;
            await writeState();
            _sequence = start;
            _entries = entries.Count;
            _contactsDelivered = contents.Deliveries.Values.Sum(d => d.Others.Length + contents.ImportsOf([d]).Sum(i => (long)i.Contacts.Length));
            _outstanding.Clear();
            foreach (var import in contents.Outstanding)
            {
                _outstanding[import.BatchId] = import;
            }
        }
        finally
        {
            _lock.Release();
        }

        return contents;
    }

    /// <summary>The number of the next delivery: given before it is journaled, in the order deliveries are added.</summary>
    public long NextSequence() => journal is null ? 0 : ++_sequence;

    /// <summary>Returns once the import is durable.</summary>
    public Task AcceptedAsync(AcceptedImport import) => WriteAsync(gathered => gathered.Accepted.Add(import));

    /// <summary>Returns once the delivery is durable; throws when it could not be journaled (the shards must then journal its outcomes).</summary>
    /// <param name="contacts">How many contacts it delivered: a generation ends after enough of them.</param>
    public Task DeliveredAsync(DeliveredOutcomes delivery, int contacts) =>
        WriteAsync(gathered => gathered.Delivered.Add((delivery, contacts)));

    /// <summary>The shards journaled what these imports came to themselves (the delivery could not be journaled here).</summary>
    public void Settled(IEnumerable<string> batchIds)
    {
        foreach (var batchId in batchIds)
        {
            _outstanding.Remove(batchId);
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
    /// append at a time carries every import accepted and every delivery completed meanwhile.
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
            if (_entries >= MaxEntriesPerGeneration || GenerationIsDue())
            {
                await StartGenerationAsync(journal);
            }

            // A failed append may have landed or not: the journal finds its end again, and a repeat counts once when read.
            await journal.AppendAsync(Key, Generation, gathered.ToEntry(), CancellationToken.None);
            _entries++;
        }
        catch (Exception exception)
        {
            gathered.Written.SetException(exception);
            return;
        }

        foreach (var import in gathered.Accepted)
        {
            _outstanding[import.BatchId] = import;
        }

        foreach (var (delivery, contacts) in gathered.Delivered)
        {
            foreach (var completed in delivery.Imports)
            {
                _outstanding.Remove(completed.BatchId);
            }

            _contactsDelivered += contacts;
        }

        gathered.Written.SetResult();
    }

    private bool GenerationIsDue()
    {
        if (_nextGenerationAt < 0)
        {
            _nextGenerationAt = contactsPerGeneration();
        }

        return _contactsDelivered >= _nextGenerationAt;
    }

    /// <summary>
    /// The shards write their snapshots; the deliveries they all hold now are dropped, the rest and the outstanding imports
    /// go into a new generation, named in the export's state; the old one is deleted. When a shard cannot write its
    /// snapshot, the generation goes on, and the next try is a quarter of a generation later.
    /// </summary>
    private async Task StartGenerationAsync(IShardJournal journal)
    {
        if (await TryPersistShardsAsync() is not { } heldByAll)
        {
            PostponeGeneration();
            return;
        }

        JournalContents contents;
        try
        {
            contents = ImportOutcomes.Read(await journal.ReadAllAsync(Key, CancellationToken.None));
        }
        catch (Exception)
        {
            PostponeGeneration();
            throw;
        }

        DeliveredOutcomes[] carried = [.. contents.Deliveries.Values.Where(d => d.Sequence > heldByAll)];
        AcceptedImport[] imports = [.. _outstanding.Values.Concat(contents.ImportsOf(carried)).DistinctBy(i => i.BatchId).Select(ImportOutcomes.WithoutEmails)];
        var old = Generation;
        var next = Guid.NewGuid().ToString("N");
        if (imports.Length > 0 || carried.Length > 0)
        {
            await journal.AppendAsync(Key, next, new ShardJournalEntry(0, [], ImportsAccepted: imports, Delivered: carried), CancellationToken.None);
        }

        var (oldGeneration, oldSequence) = (exportState().AcceptedImportsGeneration, exportState().DeliveriesSequence);
        exportState().AcceptedImportsGeneration = next;
        exportState().DeliveriesSequence = _sequence;
        try
        {
            await writeState();
        }
        catch (Exception)
        {
            // Storage may still name the old generation: appends go on there (the new one is deleted unread by a recovery).
            (exportState().AcceptedImportsGeneration, exportState().DeliveriesSequence) = (oldGeneration, oldSequence);
            PostponeGeneration();
            throw;
        }

        _entries = 1;
        _contactsDelivered = 0;
        _nextGenerationAt = contactsPerGeneration();
        try
        {
            await journal.DeleteAsync(Key, old, CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogOldGenerationKept(exportId, exception.GetType().Name);
        }
    }

    /// <summary>A generation could not end: the next try is a quarter of a generation (or 100 entries) later.</summary>
    private void PostponeGeneration()
    {
        _nextGenerationAt = _contactsDelivered + Math.Max(1, contactsPerGeneration() / 4);
        _entries = Math.Min(_entries, MaxEntriesPerGeneration - 100);
    }

    private async Task<long?> TryPersistShardsAsync()
    {
        try
        {
            return await persistShards();
        }
        catch (Exception exception)
        {
            LogShardsNotPersisted(exportId, exception.GetType().Name);
            return null;
        }
    }

    /// <summary>Imports accepted and deliveries completed since the last append began: the next entry (accepted ones read first).</summary>
    private sealed class GatheredWrite
    {
        public List<AcceptedImport> Accepted { get; } = [];

        public List<(DeliveredOutcomes Delivery, int Contacts)> Delivered { get; } = [];

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ShardJournalEntry ToEntry() =>
            new(0, [], ImportsAccepted: Accepted.Count > 0 ? [.. Accepted] : null, Delivered: Delivered.Count > 0 ? [.. Delivered.Select(d => d.Delivery)] : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not delete an old journal of its deliveries ({Error}); the next recovery deletes it")]
    private partial void LogOldGenerationKept(string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: a shard could not write its snapshot ({Error}), so the journal of deliveries keeps its generation a while longer")]
    private partial void LogShardsNotPersisted(string exportId, string error);
}
