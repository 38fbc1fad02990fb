using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The journal of one export's deliveries (durable profile): each import ActiveCampaign accepted, journaled before
/// import/info is asked, so that a crash of the delivery loop does not send its contacts again (the next activation asks
/// about it: <see cref="ImportRecovery"/>); and what each delivery came to (<see cref="DeliveredOutcomes"/>), journaled
/// once for all the export's shards before they are handed the outcomes: the shards do not journal them themselves, and
/// one that comes back replays them from here. Without a journal (memory profile) it does nothing.
/// </summary>
/// <remarks>
/// Append-only, under the journal key <c>export/{id}/imports</c>; what callers add while an append is under way goes in
/// the next one (group commit). A generation ends once it holds the deliveries of <paramref name="contactsPerGeneration"/>
/// contacts or <see cref="MaxEntriesPerGeneration"/> entries (or after a failed append): the shards write their
/// snapshots first (<paramref name="persistShards"/>), so that they hold every outcome handed to them, then the imports
/// still outstanding and the deliveries not yet handed start a new generation, named in the export's state; the old one
/// is deleted, or, after a crash in between, deleted unread by the next recovery.
/// </remarks>
public sealed partial class AcceptedImports(
    string exportId,
    IShardJournal? journal,
    Func<ExportState> exportState,
    Func<Task> writeState,
    Func<Task> persistShards,
    Func<long> contactsPerGeneration,
    int importFailureRetries,
    ILogger logger)
{
    /// <summary>Well under an append blob's 50,000 blocks.</summary>
    public const int MaxEntriesPerGeneration = 10_000;

    private const string InitialGeneration = "initial";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly OrderedDictionary<string, AcceptedImport> _outstanding = new(StringComparer.Ordinal);

    // Deliveries journaled whose outcomes not every shard has taken yet, with the imports they name.
    private readonly Dictionary<DeliveredOutcomes, AcceptedImport[]> _unhanded = new(ReferenceEqualityComparer.Instance);
    private GatheredWrite _gathering = new();
    private int _entries;
    private long _contactsDelivered;
    private long _nextGenerationAt = -1;
    private bool _mustStartGeneration;

    public static string JournalKey(string exportId) => $"export/{exportId}/imports";

    /// <summary>Imports accepted and not yet delivered, oldest first.</summary>
    public IReadOnlyList<AcceptedImport> Outstanding => [.. _outstanding.Values];

    public bool Durable => journal is not null;

    private string Key => JournalKey(exportId);

    private string Generation => exportState().AcceptedImportsGeneration ?? InitialGeneration;

    /// <summary>
    /// Reads what an earlier activation journaled (and deletes older generations): the imports it left outstanding, and
    /// the outcomes of its deliveries, which it may not have handed to every shard.
    /// </summary>
    public async Task<(IReadOnlyList<AcceptedImport> Outstanding, List<ContactOutcome> Delivered)> RecoverAsync()
    {
        if (journal is null)
        {
            return ([], []);
        }

        var entries = await journal.RecoverAsync(Key, Generation, CancellationToken.None);
        var read = ImportOutcomes.Read(entries, importFailureRetries);
        await _lock.WaitAsync();
        try
        {
            _entries = entries.Count;
            _contactsDelivered = read.Delivered.Count;
            _outstanding.Clear();
            foreach (var import in read.Outstanding)
            {
                _outstanding[import.BatchId] = import;
            }
        }
        finally
        {
            _lock.Release();
        }

        return read;
    }

    /// <summary>Returns once the import is durable.</summary>
    public Task AcceptedAsync(AcceptedImport import) => WriteAsync(gathered => gathered.Accepted.Add(import));

    /// <summary>
    /// Returns once the delivery is durable; until <see cref="Handed"/> says every shard took its outcomes, a new
    /// generation carries it over. Throws when it could not be journaled: the shards must then journal the outcomes.
    /// </summary>
    /// <param name="imports">The accepted imports <paramref name="delivery"/> names.</param>
    public Task DeliveredAsync(DeliveredOutcomes delivery, IReadOnlyList<AcceptedImport> imports) =>
        WriteAsync(gathered => gathered.Delivered.Add((delivery, [.. imports])));

    /// <summary>Every shard took the delivery's outcomes: the shards' next snapshots hold them.</summary>
    public void Handed(DeliveredOutcomes delivery) => _unhanded.Remove(delivery);

    /// <summary>The export was deleted.</summary>
    public async Task DeleteAllAsync()
    {
        if (journal is not null)
        {
            await journal.DeleteAllAsync(Key, CancellationToken.None);
        }

        _outstanding.Clear();
        _unhanded.Clear();
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
            if (_mustStartGeneration || _entries >= MaxEntriesPerGeneration || GenerationIsDue())
            {
                await StartGenerationAsync(journal);
            }

            foreach (var (delivery, imports) in gathered.Delivered)
            {
                _unhanded[delivery] = imports;
            }

            await journal.AppendAsync(Key, Generation, gathered.ToEntry(), CancellationToken.None);
            _entries++;
        }
        catch (Exception exception)
        {
            // Whether the append (or the state naming a new generation) landed is unknown: the next append starts anew.
            _mustStartGeneration = true;
            foreach (var (delivery, _) in gathered.Delivered)
            {
                _unhanded.Remove(delivery);
            }

            gathered.Written.SetException(exception);
            return;
        }

        foreach (var import in gathered.Accepted)
        {
            _outstanding[import.BatchId] = import;
        }

        foreach (var (delivery, imports) in gathered.Delivered)
        {
            foreach (var completed in delivery.Imports)
            {
                _outstanding.Remove(completed.BatchId);
            }

            _contactsDelivered += delivery.Others.Length + imports.Sum(i => i.Contacts.Length);
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
    /// Copies the outstanding imports and the deliveries not yet handed into a new generation, names it in the export's
    /// state, deletes the old one. The deliveries the old generation held are dropped, so the shards write their
    /// snapshots first; when one cannot, a due generation waits (a quarter of the way on), a forced one fails.
    /// </summary>
    private async Task StartGenerationAsync(IShardJournal journal)
    {
        AcceptedImport[] outstanding = [.. _outstanding.Values];
        var unhanded = _unhanded.ToList();
        if (_contactsDelivered > 0 && !await TryPersistShardsAsync())
        {
            if (_mustStartGeneration)
            {
                throw new InvalidOperationException($"The shards of export {exportId} could not write their snapshots; the journal keeps its generation.");
            }

            _nextGenerationAt = _contactsDelivered + Math.Max(1, contactsPerGeneration() / 4);
            return;
        }

        var old = Generation;
        var next = Guid.NewGuid().ToString("N");
        var carried = 0;
        if (outstanding.Length > 0 || unhanded.Count > 0)
        {
            var imports = outstanding.Concat(unhanded.SelectMany(d => d.Value)).DistinctBy(i => i.BatchId).ToArray();
            await journal.AppendAsync(Key, next, new ShardJournalEntry(0, [], ImportsAccepted: imports,
                Delivered: unhanded.Count > 0 ? [.. unhanded.Select(d => d.Key)] : null), CancellationToken.None);
            carried = 1;
        }

        exportState().AcceptedImportsGeneration = next;
        await writeState();
        _entries = carried;
        _contactsDelivered = 0;
        _nextGenerationAt = contactsPerGeneration();
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

    private async Task<bool> TryPersistShardsAsync()
    {
        try
        {
            await persistShards();
            return true;
        }
        catch (Exception exception)
        {
            LogShardsNotPersisted(exportId, exception.GetType().Name);
            return false;
        }
    }

    /// <summary>Imports accepted and deliveries completed since the last append began: the next entry (accepted ones read first).</summary>
    private sealed class GatheredWrite
    {
        public List<AcceptedImport> Accepted { get; } = [];

        public List<(DeliveredOutcomes Delivery, AcceptedImport[] Imports)> Delivered { get; } = [];

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ShardJournalEntry ToEntry() =>
            new(0, [], ImportsAccepted: Accepted.Count > 0 ? [.. Accepted] : null, Delivered: Delivered.Count > 0 ? [.. Delivered.Select(d => d.Delivery)] : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId} could not delete an old journal of its deliveries ({Error}); the next recovery deletes it")]
    private partial void LogOldGenerationKept(string exportId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: a shard could not write its snapshot ({Error}), so the journal of deliveries keeps its generation a while longer")]
    private partial void LogShardsNotPersisted(string exportId, string error);
}
