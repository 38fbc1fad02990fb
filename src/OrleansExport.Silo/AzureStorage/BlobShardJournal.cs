using System.Buffers.Binary;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Orleans.Serialization;
using OrleansExport.Grains.Durability;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>
/// Shard journals as append blobs, one per shard and snapshot generation: <c>{shard key}/{generation}</c>.
/// Each entry is a frame of a 4-byte little-endian length and the Orleans-serialized entry. An append
/// is one storage write; a frame torn by a crash mid-append is ignored on recovery, since the batch it
/// carried was never acknowledged.
/// </summary>
public sealed class BlobShardJournal(BlobContainerClient container, Serializer serializer) : IShardJournal
{
    public const string ContainerName = "shard-journals";

    /// <summary>Largest block one append may carry.</summary>
    private const int MaxBlockBytes = 4 * 1024 * 1024;

    public async Task AppendAsync(string shardKey, string generation, ShardJournalEntry entry, CancellationToken cancellationToken)
    {
        var payload = serializer.SerializeToArray(entry);
        var frame = new byte[sizeof(int) + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame, sizeof(int));

        var blob = container.GetAppendBlobClient(BlobName(shardKey, generation));
        for (var offset = 0; offset < frame.Length; offset += MaxBlockBytes)
        {
            var block = new ReadOnlyMemory<byte>(frame, offset, Math.Min(MaxBlockBytes, frame.Length - offset));
            await AppendBlockAsync(blob, block, cancellationToken);
        }
    }

    private async Task AppendBlockAsync(AppendBlobClient blob, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        try
        {
            await blob.AppendBlockAsync(BinaryData.FromBytes(block).ToStream(), cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // The first append of a generation creates its blob (and, once, the container).
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.AppendBlockAsync(BinaryData.FromBytes(block).ToStream(), cancellationToken: cancellationToken);
        }
    }

    public async Task<IReadOnlyList<ShardJournalEntry>> RecoverAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShardJournalEntry> entries = [];
        var current = BlobName(shardKey, generation);
        foreach (var name in await ListAsync(shardKey, cancellationToken))
        {
            if (name == current)
            {
                var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
                entries = ReadFrames(content.Value.Content.ToMemory());
            }
            else
            {
                await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            }
        }

        return entries;
    }

    public Task DeleteAsync(string shardKey, string generation, CancellationToken cancellationToken) =>
        container.GetBlobClient(BlobName(shardKey, generation)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public async Task DeleteAllAsync(string shardKey, CancellationToken cancellationToken)
    {
        foreach (var name in await ListAsync(shardKey, cancellationToken))
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    private List<ShardJournalEntry> ReadFrames(ReadOnlyMemory<byte> content)
    {
        var entries = new List<ShardJournalEntry>();
        var offset = 0;
        while (content.Length - offset >= sizeof(int))
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(content.Span[offset..]);
            if (length < 0 || content.Length - offset - sizeof(int) < length)
            {
                break;
            }

            entries.Add(serializer.Deserialize<ShardJournalEntry>(content.Slice(offset + sizeof(int), length))!);
            offset += sizeof(int) + length;
        }

        return entries;
    }

    private async Task<List<string>> ListAsync(string shardKey, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, Prefix(shardKey), cancellationToken))
            {
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // No container yet: no journal was ever written.
        }

        return names;
    }

    private static string Prefix(string shardKey) => Uri.EscapeDataString(shardKey) + "/";

    /// <summary>ETags carry quotes and punctuation; the blob name keeps letters and digits only.</summary>
    public static string BlobName(string shardKey, string generation) =>
        Prefix(shardKey) + new string(generation.Where(char.IsAsciiLetterOrDigit).ToArray());
}
