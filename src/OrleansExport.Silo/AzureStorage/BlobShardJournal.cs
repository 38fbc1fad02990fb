using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Orleans.Serialization;
using OrleansExport.Grains.Durability;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>
/// Shard journals as append blobs, one per shard and snapshot generation: <c>{shard key}/{generation}</c>, continued in
/// <c>{shard key}/{generation}-1</c>, <c>-2</c>... Each entry is a frame of a 4-byte little-endian length and the
/// Orleans-serialized entry; a frame over 4 MiB takes several appends. An entry of 256 bytes or more is compressed (Brotli,
/// quality 1) when that saves bytes: its length has the top bit set, and its payload is the entry's own length followed by
/// the compressed entry. Journals written before compression read the same.
/// </summary>
/// <remarks>
/// Every append is conditioned on the position this journal expects (<c>IfAppendPositionEqual</c>): a retried block
/// that already landed, or an append of a second activation of the shard, fails instead of duplicating or interleaving.
/// A frame torn by a crash between (or in) appends was never acknowledged: recovery skips it, and since an append blob
/// cannot be truncated, the next append starts a new segment, so that no frame is ever written after a torn one.
/// </remarks>
/// <param name="writePreviousFormats">
/// Entries as the version before writes them (<c>Upgrade:WritePreviousFormats</c>): uncompressed, their event batches in
/// version 2. That version reads a compressed frame as torn (and drops every frame after it), and cannot decode a later
/// batch, so a rolling upgrade from it writes these until every silo runs this version.
/// </param>
public sealed class BlobShardJournal(BlobContainerClient container, Serializer serializer, bool writePreviousFormats = false) : IShardJournal
{
    public const string ContainerName = "shard-journals";

    /// <summary>Largest block one append may carry.</summary>
    private const int MaxBlockBytes = 4 * 1024 * 1024;

    /// <summary>Where each shard appends next: the generation, its segment, and the position there (-1: a new segment).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Tail> _tails = new();

    /// <summary>Blocks per segment at most: an append blob takes 50,000; the next append goes into a new segment.</summary>
    private const int MaxBlocksPerSegment = 49_000;

    /// <param name="Blocks">Blocks the segment holds (a new one past <see cref="MaxBlocksPerSegment"/>).</param>
    private sealed record Tail(string Generation, int Segment, long Position, int Blocks = 0);

    public async Task AppendAsync(string shardKey, string generation, ShardJournalEntry entry, CancellationToken cancellationToken)
    {
        var frame = Frame(serializer.SerializeToArray(writePreviousFormats ? InPreviousFormat(entry) : entry));

        // A generation this journal has not seen (a new snapshot's) or whose last append failed: its end is found in storage.
        var tail = _tails.TryGetValue(shardKey, out var known) && known.Generation == generation ? known : await FindTailAsync(shardKey, generation, cancellationToken);
        _tails.TryRemove(shardKey, out _); // until this append is known to be whole
        var blocks = (frame.Length + MaxBlockBytes - 1) / MaxBlockBytes;
        if (tail.Position >= 0 && tail.Blocks + blocks > MaxBlocksPerSegment)
        {
            tail = new Tail(generation, tail.Segment + 1, -1);
        }

        var blob = container.GetAppendBlobClient(BlobName(shardKey, generation, tail.Segment));
        var position = tail.Position;
        if (position < 0)
        {
            await CreateAsync(blob, cancellationToken);
            position = 0;
        }

        for (var offset = 0; offset < frame.Length; offset += MaxBlockBytes)
        {
            var length = Math.Min(MaxBlockBytes, frame.Length - offset);
            await blob.AppendBlockAsync(BinaryData.FromBytes(new ReadOnlyMemory<byte>(frame, offset, length)).ToStream(),
                new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = position } }, cancellationToken);
            position += length;
        }

        _tails[shardKey] = tail with { Position = position, Blocks = tail.Blocks + blocks };
    }

    private async Task CreateAsync(AppendBlobClient blob, CancellationToken cancellationToken)
    {
        var options = new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } };
        try
        {
            await blob.CreateAsync(options, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // The first journal ever creates the container.
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.CreateAsync(options, cancellationToken);
        }
    }

    /// <summary>
    /// Where the next append of <paramref name="generation"/> goes: a new blob when it has none, else the end of its last
    /// segment, or a new segment when that one ends in a torn frame (a failed append may have landed in part).
    /// </summary>
    private async Task<Tail> FindTailAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        var last = (await ListAsync(shardKey, cancellationToken))
            .Select(name => (Name: name, Segment: SegmentOf(name, shardKey, generation)))
            .Where(s => s.Segment is not null)
            .OrderByDescending(s => s.Segment)
            .FirstOrDefault();
        if (last.Name is null)
        {
            return new Tail(generation, 0, -1);
        }

        var download = (await container.GetBlobClient(last.Name).DownloadContentAsync(cancellationToken)).Value;
        return TailAfter(generation, last.Segment!.Value, download, ForEachFrame(download.Content.ToMemory(), null));
    }

    public async Task<IReadOnlyList<ShardJournalEntry>> RecoverAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        var (entries, tail) = await ScanAsync(shardKey, generation, cancellationToken);
        _tails[shardKey] = tail;
        return entries;
    }

    public async Task<IReadOnlyList<ShardJournalEntry>> ReadAllAsync(string key, CancellationToken cancellationToken)
    {
        // A blob deleted since the listing means its owner started a new generation meanwhile, which the listing may
        // lack: read again (the owner starts a new generation rarely).
        for (var attempt = 1; ; attempt++)
        {
            var entries = new List<ShardJournalEntry>();
            var whole = true;

            // Each generation's segments in order ("{generation}" before "{generation}-1", "-2"...); generations in any order.
            foreach (var name in (await ListAsync(key, cancellationToken)).OrderBy(SegmentOrder, StringComparer.Ordinal))
            {
                try
                {
                    var content = (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value.Content.ToMemory();
                    ReadFrames(content, entries);
                }
                catch (RequestFailedException exception) when (exception.Status == 404 && attempt < MaxReadAttempts)
                {
                    whole = false;
                    break;
                }
            }

            if (whole)
            {
                return entries;
            }
        }
    }

    private const int MaxReadAttempts = 5;

    /// <summary>"{generation}-{segment}" sorted by generation, then segment number.</summary>
    private static string SegmentOrder(string name)
    {
        var dash = name.LastIndexOf('-');
        return dash > name.LastIndexOf('/') && int.TryParse(name.AsSpan(dash + 1), out var segment)
            ? $"{name[..dash]}/{segment:D10}"
            : $"{name}/{0:D10}";
    }

    /// <summary>Reads the generation's segments in order, skipping torn frames, and finds where the next append goes.</summary>
    private async Task<(List<ShardJournalEntry> Entries, Tail Tail)> ScanAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        var segments = new SortedDictionary<int, string>();
        foreach (var name in await ListAsync(shardKey, cancellationToken))
        {
            if (SegmentOf(name, shardKey, generation) is { } segment)
            {
                segments[segment] = name;
            }
            else
            {
                await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            }
        }

        var entries = new List<ShardJournalEntry>();
        var tail = new Tail(generation, 0, -1);
        foreach (var (segment, name) in segments)
        {
            var download = (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value;
            tail = TailAfter(generation, segment, download, ReadFrames(download.Content.ToMemory(), entries));
        }

        return (entries, tail);
    }

    /// <summary>The end of a segment read whole; after a torn frame, a new segment (no frame is ever written after a torn one).</summary>
    private static Tail TailAfter(string generation, int segment, BlobDownloadResult download, int wholeBytes) =>
        wholeBytes == download.Content.ToMemory().Length
            ? new Tail(generation, segment, wholeBytes, download.Details.BlobCommittedBlockCount)
            : new Tail(generation, segment + 1, -1);

    private static int? SegmentOf(string name, string shardKey, string generation)
    {
        var first = BlobName(shardKey, generation);
        if (name == first)
        {
            return 0;
        }

        return name.StartsWith(first + "-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(first.Length + 1), out var segment) && segment > 0
            ? segment
            : null;
    }

    /// <summary>Deletes the generation's blob and its later segments.</summary>
    public async Task DeleteAsync(string shardKey, string generation, CancellationToken cancellationToken)
    {
        foreach (var name in await ListAsync(shardKey, cancellationToken))
        {
            if (SegmentOf(name, shardKey, generation) is not null)
            {
                await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            }
        }
    }

    public async Task DeleteAllAsync(string shardKey, CancellationToken cancellationToken)
    {
        foreach (var name in await ListAsync(shardKey, cancellationToken))
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>Entries smaller than this are written as they are: a compressed one would save a few bytes for a call.</summary>
    private const int MinCompressedBytes = 256;

    private const int CompressedBit = unchecked((int)0x8000_0000);

    /// <summary>Largest entry written compressed; a compressed frame declaring more is corruption (a backfill page is at most a few MiB).</summary>
    private const int MaxEntryBytes = 256 * 1024 * 1024;

    private static ShardJournalEntry InPreviousFormat(ShardJournalEntry entry) =>
        entry.Batch is { Count: > 0 } batch && batch.Decode() is var events
            ? entry with { Batch = SegmentEventBatch.Encode(events[0].SegmentId, events, SegmentEventBatch.PreviousVersion) }
            : entry;

    /// <summary>The frame of an entry: its length, then the entry, compressed when that saves bytes.</summary>
    private byte[] Frame(byte[] payload)
    {
        // An entry larger than a compressed one may declare is written plain: it must stay readable.
        if (!writePreviousFormats && payload.Length is >= MinCompressedBytes and <= MaxEntryBytes)
        {
            // A backfill page's scratch buffer is megabytes: rented, so that each append does not allocate one on the large-object heap.
            var scratch = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(payload.Length));
            try
            {
                if (BrotliEncoder.TryCompress(payload, scratch, out var written, quality: 1, window: 22) && sizeof(int) + written < payload.Length)
                {
                    var compressed = new byte[2 * sizeof(int) + written];
                    BinaryPrimitives.WriteInt32LittleEndian(compressed, (sizeof(int) + written) | CompressedBit);
                    BinaryPrimitives.WriteInt32LittleEndian(compressed.AsSpan(sizeof(int)), payload.Length);
                    scratch.AsSpan(0, written).CopyTo(compressed.AsSpan(2 * sizeof(int)));
                    return compressed;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        var frame = new byte[sizeof(int) + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame, sizeof(int));
        return frame;
    }

    /// <returns>The bytes of whole frames read: less than the content when its last frame is torn.</returns>
    private int ReadFrames(ReadOnlyMemory<byte> content, List<ShardJournalEntry> entries) =>
        ForEachFrame(content, (frame, compressed) => entries.Add(serializer.Deserialize<ShardJournalEntry>(compressed ? Decompress(frame) : frame)!));

    private static byte[] Decompress(ReadOnlyMemory<byte> frame)
    {
        // Written only when smaller than the entry: a length that says otherwise is corruption, not an allocation to make.
        var length = BinaryPrimitives.ReadInt32LittleEndian(frame.Span);
        if (length < MinCompressedBytes || length <= frame.Length - sizeof(int) || length > MaxEntryBytes)
        {
            throw new InvalidDataException($"A compressed journal entry of {frame.Length} bytes says it holds {length}.");
        }

        var entry = new byte[length];
        if (!BrotliDecoder.TryDecompress(frame.Span[sizeof(int)..], entry, out var written) || written != entry.Length)
        {
            throw new InvalidDataException($"A compressed journal entry of {entry.Length} bytes did not decompress whole.");
        }

        return entry;
    }

    /// <returns>The bytes of whole frames at the start of <paramref name="content"/>: less than its length when its last frame is torn.</returns>
    private static int ForEachFrame(ReadOnlyMemory<byte> content, Action<ReadOnlyMemory<byte>, bool>? frame)
    {
        var offset = 0;
        while (content.Length - offset >= sizeof(int))
        {
            var header = BinaryPrimitives.ReadInt32LittleEndian(content.Span[offset..]);
            var compressed = (header & CompressedBit) != 0;
            var length = header & ~CompressedBit;
            if (content.Length - offset - sizeof(int) < length || (compressed && length < sizeof(int)))
            {
                break;
            }

            frame?.Invoke(content.Slice(offset + sizeof(int), length), compressed);
            offset += sizeof(int) + length;
        }

        return offset;
    }

    private async Task<List<string>> ListAsync(string shardKey, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix(shardKey), cancellationToken))
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
    public static string BlobName(string shardKey, string generation, int segment = 0) =>
        Prefix(shardKey) + new string(generation.Where(char.IsAsciiLetterOrDigit).ToArray()) + (segment == 0 ? "" : $"-{segment}");
}
