using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExport.Grains.Durability;

namespace OrleansExport.UnitTests;

/// <summary>Generations of append-only entries, as the blob journal keeps them: entries go through the serializer.</summary>
internal sealed class MemoryJournal : IShardJournal
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    public Dictionary<(string Key, string Generation), List<byte[]>> Blobs { get; } = [];

    public bool FailNextAppend { get; set; }

    /// <summary>When set, appends wait for it (an append under way).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task AppendAsync(string shardKey, string generation, ShardJournalEntry entry, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (FailNextAppend)
        {
            FailNextAppend = false;
            throw new IOException("Injected: the append failed.");
        }

        var blob = Blobs.TryGetValue((shardKey, generation), out var found) ? found : Blobs[(shardKey, generation)] = [];
        blob.Add(Serializer.SerializeToArray(entry));
    }

    public Task<IReadOnlyList<ShardJournalEntry>> RecoverAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        foreach (var other in Blobs.Keys.Where(k => k.Key == shardKey && k.Generation != generation).ToList())
        {
            Blobs.Remove(other);
        }

        IReadOnlyList<ShardJournalEntry> entries = Blobs.TryGetValue((shardKey, generation), out var blob)
            ? [.. blob.Select(bytes => Serializer.Deserialize<ShardJournalEntry>(bytes)!)]
            : [];
        return Task.FromResult(entries);
    }

    public Task<IReadOnlyList<ShardJournalEntry>> ReadAllAsync(string key, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShardJournalEntry> entries = [.. Blobs.Where(b => b.Key.Key == key).SelectMany(b => b.Value).Select(bytes => Serializer.Deserialize<ShardJournalEntry>(bytes)!)];
        return Task.FromResult(entries);
    }

    public Task DeleteAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        Blobs.Remove((shardKey, generation));
        return Task.CompletedTask;
    }

    public Task DeleteAllAsync(string shardKey, CancellationToken cancellationToken)
    {
        foreach (var key in Blobs.Keys.Where(k => k.Key == shardKey).ToList())
        {
            Blobs.Remove(key);
        }

        return Task.CompletedTask;
    }
}
