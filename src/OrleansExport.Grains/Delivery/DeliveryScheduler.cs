namespace OrleansExport.Grains.Delivery;

/// <summary>
/// When an export's delivery loop sends, and which shards it collects from: full imports as soon as
/// enough contacts are pending (or a run is on), a partial one before a change has waited
/// <see cref="ExportOptions.MaxBatchDelay"/>, shards taken in turn so none waits behind another.
/// No Orleans in it: the loop hands it a way to take contacts from a shard.
/// </summary>
public sealed class DeliveryScheduler(int shardCount, int maxContactsPerImport, TimeSpan maxBatchDelay, TimeProvider time)
{
    /// <summary>Collection rounds per batch: enough to fill it when some shards hold fewer than their share.</summary>
    private const int Rounds = 3;

    private readonly int[] _shardPending = new int[shardCount];
    private readonly List<OutgoingContact> _carry = [];
    private int _nextShard;
    private DateTimeOffset? _pendingSince;

    /// <summary>Contacts the shards last said they hold pending, plus those collected and not yet sent.</summary>
    public long PendingEstimate => _carry.Count + _shardPending.Sum(p => (long)p);

    /// <summary>A shard said how many contacts it holds pending: the clock of a partial batch starts with the first.</summary>
    public void NoteShardPending(int index, int pending)
    {
        _shardPending[index] = pending;
        if (pending > 0)
        {
            _pendingSince ??= time.GetUtcNow();
        }
    }

    /// <summary>A shard's contacts have waited since before this activation knew of them: collect them without further delay.</summary>
    public void NoteOverdue(int index)
    {
        _shardPending[index] = Math.Max(1, _shardPending[index]);
        _pendingSince ??= time.GetUtcNow() - maxBatchDelay;
    }

    public void NoteAllOverdue()
    {
        for (var i = 0; i < _shardPending.Length; i++)
        {
            NoteOverdue(i);
        }
    }

    /// <summary>The shards it believes hold nothing pending.</summary>
    public List<int> QuietShards() => Enumerable.Range(0, _shardPending.Length).Where(i => _shardPending[i] == 0).ToList();

    public bool IsBatchDue(bool runActive)
    {
        var anything = _carry.Count > 0 || _shardPending.Any(p => p > 0);
        if (runActive || PendingEstimate >= maxContactsPerImport)
        {
            return anything;
        }

        // Flush a little before the deadline so the change reaches ActiveCampaign within MaxBatchDelay.
        return _pendingSince is { } since && time.GetUtcNow() - since >= maxBatchDelay * 0.9;
    }

    /// <summary>
    /// Takes up to one full import's worth of contacts, spreading the take over the shards. <paramref name="take"/>
    /// answers null for a shard it could not reach: that shard keeps its mark and is asked again next time.
    /// </summary>
    public async Task<List<OutgoingContact>> CollectAsync(Func<int, int, Task<OutgoingContact[]?>> take)
    {
        var batch = new List<OutgoingContact>(maxContactsPerImport);
        var fromCarry = Math.Min(_carry.Count, maxContactsPerImport);
        batch.AddRange(_carry.GetRange(0, fromCarry));
        _carry.RemoveRange(0, fromCarry);

        for (var round = 0; round < Rounds && batch.Count < maxContactsPerImport; round++)
        {
            var shards = Enumerable.Range(0, _shardPending.Length).Select(i => (i + _nextShard) % _shardPending.Length).Where(i => _shardPending[i] > 0).ToList();
            if (shards.Count == 0)
            {
                break;
            }

            _nextShard = (_nextShard + 1) % _shardPending.Length;
            var share = (maxContactsPerImport - batch.Count + shards.Count - 1) / shards.Count;
            var takes = await Task.WhenAll(shards.Select(async i => (Index: i, Contacts: await take(i, share))));
            foreach (var (index, contacts) in takes)
            {
                if (contacts is null)
                {
                    _pendingSince ??= time.GetUtcNow();
                    continue;
                }

                _shardPending[index] = contacts.Length < share ? 0 : Math.Max(1, _shardPending[index] - contacts.Length);
                batch.AddRange(contacts);
            }
        }

        if (batch.Count > maxContactsPerImport)
        {
            _carry.AddRange(batch.GetRange(maxContactsPerImport, batch.Count - maxContactsPerImport));
            batch.RemoveRange(maxContactsPerImport, batch.Count - maxContactsPerImport);
        }

        if (batch.Count == 0 && !_shardPending.Any(p => p > 0))
        {
            _pendingSince = null;
        }

        return batch;
    }
}
