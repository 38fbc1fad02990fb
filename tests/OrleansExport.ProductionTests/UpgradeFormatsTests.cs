using System.Buffers.Binary;
using System.IO.Compression;
using Azure.Storage.Blobs;
using Orleans.Serialization;
using OrleansExport.Grains.Durability;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.AzureStorage;

namespace OrleansExport.ProductionTests;

/// <summary>
/// What a silo writes to its shard journals in Azurite, with and without <c>Upgrade:WritePreviousFormats</c>: with it,
/// only what the version before reads (plain frames, version 2 batches); without it, compressed frames of version 3 batches.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UpgradeFormatsTests(AzuriteFixture azurite)
{
    private static readonly Serializer Serializer = TestSerializer.Instance;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASegmentsJournal_HoldsOnlyWhatTheVersionBeforeReads_ExactlyWhenTheSettingIsOn(bool writePreviousFormats)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var segment = $"upgrade-{run}";
        var settings = SiloSettings.AzureStorage(azurite.ConnectionString, "upgrade-" + run[..8]);
        settings["Upgrade:WritePreviousFormats"] = writePreviousFormats ? "true" : "false";
        await using var silo = await InProcessSilo.StartAsync(settings.WithFreePorts());
        using var api = new ApiDriver(silo.BaseAddress);
        var at = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        await api.PostEventsAsync([.. Enumerable.Range(0, 400).Select(i => new SegmentEvent($"e-{run}-{i}", segment, $"p-{i}", SegmentEventType.Joined, at.AddSeconds(i),
            new Dictionary<string, string> { ["EmailAddress"] = $"p{i}@example.com", ["FirstName"] = $"First{i}" }))]);
        await api.WaitForSegmentAsync(segment, 400, Timeout);

        var frames = await SegmentJournalFramesAsync(segment);
        Assert.NotEmpty(frames);
        Assert.Equal(400, frames.Sum(f => f.Entry.EventCount));
        if (writePreviousFormats)
        {
            Assert.All(frames, f => Assert.False(f.Compressed));
        }
        else
        {
            // Each shard's entry of some 25 events is worth compressing; one too small to be would be written plain.
            Assert.Contains(frames, f => f.Compressed);
            Assert.All(frames, f => Assert.True(f.Compressed || f.Length < 256, $"a plain frame of {f.Length} bytes"));
        }

        Assert.All(frames, f => Assert.Equal(writePreviousFormats ? SegmentEventBatch.PreviousVersion : SegmentEventBatch.CurrentVersion, f.Entry.Batch!.Encoded[0]));
    }

    private async Task<List<(bool Compressed, int Length, ShardJournalEntry Entry)>> SegmentJournalFramesAsync(string segment)
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(BlobShardJournal.ContainerName);
        var frames = new List<(bool, int, ShardJournalEntry)>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            if (!Uri.UnescapeDataString(blob.Name).Contains(segment, StringComparison.Ordinal))
            {
                continue;
            }

            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
            for (var offset = 0; offset < content.Length;)
            {
                var header = BinaryPrimitives.ReadInt32LittleEndian(content.AsSpan(offset));
                var (compressed, length) = (header < 0, header & int.MaxValue);
                var payload = content.AsSpan(offset + sizeof(int), length).ToArray();
                if (compressed)
                {
                    var entry = new byte[BinaryPrimitives.ReadInt32LittleEndian(payload)];
                    Assert.True(BrotliDecoder.TryDecompress(payload.AsSpan(sizeof(int)), entry, out _));
                    payload = entry;
                }

                frames.Add((compressed, length, Serializer.Deserialize<ShardJournalEntry>(payload)!));
                offset += sizeof(int) + length;
            }
        }

        return frames;
    }
}
