using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExport.Grains.Durability;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Silo.AzureStorage;

namespace OrleansExport.ProductionTests;

[Collection(AzuriteCollection.Name)]
public sealed class BlobStorageTests(AzuriteFixture azurite)
{
    private static readonly Serializer Serializer = TestSerializer.Instance;

    private BlobContainerClient Container(string prefix) =>
        new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient($"{prefix}-{Guid.NewGuid():N}");

    private static ShardJournalEntry Entry(long capacity, params string[] profiles) => new(capacity,
        [.. profiles.Select(p => new SegmentEvent("e-" + p, "s", p, SegmentEventType.Left, DateTimeOffset.UnixEpoch, null))]);

    [Fact]
    public async Task Journal_RecoversItsGenerationInOrder_AndDeletesOlderGenerations()
    {
        var container = Container("journal");
        var journal = new BlobShardJournal(container, Serializer);
        await journal.AppendAsync("exp-1/3", "\"0x8DC1\"", Entry(10, "p-1"), default);
        await journal.AppendAsync("exp-1/3", "\"0x8DC2\"", Entry(20, "p-2", "p-3"), default);
        await journal.AppendAsync("exp-1/3", "\"0x8DC2\"", Entry(18, "p-4"), default);
        await journal.AppendAsync("exp-1/30", "\"0x8DC2\"", Entry(5, "p-9"), default);

        var recovered = await journal.RecoverAsync("exp-1/3", "\"0x8DC2\"", default);

        Assert.Equal([20L, 18L], recovered.Select(e => e.CapacityLeft));
        Assert.Equal(["p-2", "p-3", "p-4"], recovered.SelectMany(e => e.Events).Select(e => e.ProfileId));
        Assert.Empty(await journal.RecoverAsync("exp-1/3", "\"0x8DC1\"", default));
        Assert.Single(await journal.RecoverAsync("exp-1/30", "\"0x8DC2\"", default));
    }

    [Fact]
    public async Task Journal_IgnoresAFrameTornByACrash()
    {
        var container = Container("journal");
        var journal = new BlobShardJournal(container, Serializer);
        await journal.AppendAsync("exp-2/0", "7", Entry(1, "p-1"), default);
        // A crash mid-append leaves a length prefix promising more bytes than follow it.
        var blob = container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-2/0", "7"));
        await blob.AppendBlockAsync(new MemoryStream([200, 0, 0, 0, 1, 2, 3]));

        var recovered = await journal.RecoverAsync("exp-2/0", "7", default);

        Assert.Equal("p-1", Assert.Single(recovered).Events.Single().ProfileId);
    }

    [Fact]
    public async Task Journal_AfterATornFrame_TheNextActivationsAppendsAreRecoveredToo()
    {
        var container = Container("journal");
        await new BlobShardJournal(container, Serializer).AppendAsync("exp-4/0", "7", Entry(1, "p-1"), default);
        // A frame over 4 MiB takes two appends: a crash between them leaves its first part only.
        var blob = container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-4/0", "7"));
        await blob.AppendBlockAsync(new MemoryStream([200, 0, 0, 0, 1, 2, 3]));

        var next = new BlobShardJournal(container, Serializer); // the shard's next activation, maybe on another silo
        var recovered = await next.RecoverAsync("exp-4/0", "7", default);
        await next.AppendAsync("exp-4/0", "7", Entry(2, "p-2"), default);
        await next.AppendAsync("exp-4/0", "7", Entry(3, "p-3"), default);
        var third = await new BlobShardJournal(container, Serializer).RecoverAsync("exp-4/0", "7", default);

        Assert.Equal(["p-1"], recovered.SelectMany(e => e.Events).Select(e => e.ProfileId));
        Assert.Equal(["p-1", "p-2", "p-3"], third.SelectMany(e => e.Events).Select(e => e.ProfileId));
    }

    [Fact]
    public async Task Journal_AppendOfAStaleActivation_FailsInsteadOfLandingAfterTheNewOnes()
    {
        var container = Container("journal");
        var stale = new BlobShardJournal(container, Serializer);
        await stale.RecoverAsync("exp-5/0", "7", default);
        await stale.AppendAsync("exp-5/0", "7", Entry(1, "p-1"), default);
        var current = new BlobShardJournal(container, Serializer);
        await current.RecoverAsync("exp-5/0", "7", default);
        await current.AppendAsync("exp-5/0", "7", Entry(2, "p-2"), default);

        await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => stale.AppendAsync("exp-5/0", "7", Entry(3, "p-3"), default));

        var recovered = await new BlobShardJournal(container, Serializer).RecoverAsync("exp-5/0", "7", default);
        Assert.Equal(["p-1", "p-2"], recovered.SelectMany(e => e.Events).Select(e => e.ProfileId));
    }

    [Fact]
    public async Task Journal_ReadAll_ReadsEveryGenerationInOrder_AndLeavesTheOwnersJournalAsItWas()
    {
        var container = Container("journal");
        var owner = new BlobShardJournal(container, Serializer);
        await owner.AppendAsync("export/exp-6/imports", "a", Entry(1, "p-1"), default);
        await owner.AppendAsync("export/exp-6/imports", "b", Entry(2, "p-2"), default);
        await owner.AppendAsync("export/exp-6/imports", "b", Entry(3, "p-3"), default);
        await owner.AppendAsync("export/exp-6/importsX", "b", Entry(9, "p-9"), default);

        var read = await new BlobShardJournal(container, Serializer).ReadAllAsync("export/exp-6/imports", default);
        await owner.AppendAsync("export/exp-6/imports", "b", Entry(4, "p-4"), default);

        Assert.Equal([1L, 2L, 3L], read.Select(e => e.CapacityLeft));
        Assert.Equal([2L, 3L, 4L], (await owner.RecoverAsync("export/exp-6/imports", "b", default)).Select(e => e.CapacityLeft));
    }

    [Fact]
    public async Task Journal_AnAppendThatDoesNotKnowWhereTheJournalEnds_FindsItsEnd_AfterATornFrameTooInANewSegment()
    {
        var container = Container("journal");
        await new BlobShardJournal(container, Serializer).AppendAsync("export/exp-7/imports", "g", Entry(1, "p-1"), default);

        // As after a failed append, whose block may have landed: the next append finds the end of the generation.
        await new BlobShardJournal(container, Serializer).AppendAsync("export/exp-7/imports", "g", Entry(2, "p-2"), default);
        await container.GetAppendBlobClient(BlobShardJournal.BlobName("export/exp-7/imports", "g")).AppendBlockAsync(new MemoryStream([200, 0, 0, 0, 1]));
        await new BlobShardJournal(container, Serializer).AppendAsync("export/exp-7/imports", "g", Entry(3, "p-3"), default);

        var recovered = await new BlobShardJournal(container, Serializer).RecoverAsync("export/exp-7/imports", "g", default);
        Assert.Equal([1L, 2L, 3L], recovered.Select(e => e.CapacityLeft));
    }

    [Fact]
    public async Task Journal_DeletingAGeneration_RemovesItsLaterSegmentsToo()
    {
        var container = Container("journal");
        var journal = new BlobShardJournal(container, Serializer);
        await journal.AppendAsync("exp-8/0", "g", Entry(1, "p-1"), default);
        await container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-8/0", "g")).AppendBlockAsync(new MemoryStream([200, 0, 0, 0, 1]));
        await new BlobShardJournal(container, Serializer).AppendAsync("exp-8/0", "g", Entry(2, "p-2"), default);
        await journal.AppendAsync("exp-8/0", "h", Entry(3, "p-3"), default);

        await journal.DeleteAsync("exp-8/0", "g", default);

        Assert.Equal([BlobShardJournal.BlobName("exp-8/0", "h")], container.GetBlobs().Select(b => b.Name));
    }

    [Fact]
    public async Task Journal_WritesALargeBatchCompressed_ASmallEntryPlain_AndReadsBoth_AfterTheEntriesOfTheVersionBefore()
    {
        var container = Container("journal");
        var events = Enumerable.Range(0, 2_000).Select(i => new SegmentEvent("backfill:1", "s", $"p-{i:D7}", SegmentEventType.Joined,
            DateTimeOffset.UnixEpoch.AddSeconds(i), new Dictionary<string, string> { ["EmailAddress"] = $"p{i}@example.com", ["Tier"] = "gold" })).ToList();
        var blob = container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-9/0", "g"));
        await new BlobShardJournal(container, Serializer, writePreviousFormats: true).AppendAsync("exp-9/0", "g", ShardJournalEntry.Applied(1, events[..1000]), default);
        var previous = (await blob.GetPropertiesAsync()).Value.ContentLength;

        var next = new BlobShardJournal(container, Serializer); // the next activation, on this version
        await next.AppendAsync("exp-9/0", "g", ShardJournalEntry.Applied(2, events[1000..]), default);
        var afterBatch = (await blob.GetPropertiesAsync()).Value.ContentLength;
        await next.AppendAsync("exp-9/0", "g", Entry(3, "p-small"), default);

        var content = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(previous - sizeof(int), BitConverter.ToInt32(content)); // the version before's frame: plain
        Assert.True(afterBatch - previous < previous / 3, $"{afterBatch - previous} bytes for what took {previous} in the version before's form");
        var smallFrame = content[(int)afterBatch..];
        Assert.Equal(smallFrame.Length - sizeof(int), BitConverter.ToInt32(smallFrame)); // too small to be worth compressing: plain, top bit clear
        var recovered = await new BlobShardJournal(container, Serializer).RecoverAsync("exp-9/0", "g", default);
        Assert.Equal([1L, 2L, 3L], recovered.Select(e => e.CapacityLeft));
        Assert.Equal([.. events.Select(e => e.ProfileId), "p-small"], recovered.SelectMany(e => e.ReadEvents()).Select(e => e.ProfileId));
        Assert.Equal(events.Select(e => e.Attributes!["EmailAddress"]), recovered.SelectMany(e => e.ReadEvents()).Take(2_000).Select(e => e.Attributes!["EmailAddress"]));
        Assert.Equal(3, (await new BlobShardJournal(container, Serializer).ReadAllAsync("exp-9/0", default)).Count);
    }

    [Fact]
    public async Task Journal_WritingThePreviousFormats_LeavesNoCompressedFrame_AndItsBatchesInVersion2()
    {
        var container = Container("journal");
        var events = Enumerable.Range(0, 1_000).Select(i => new SegmentEvent("backfill:1", "s", $"p-{i:D7}", SegmentEventType.Joined,
            DateTimeOffset.UnixEpoch.AddSeconds(i), new Dictionary<string, string> { ["EmailAddress"] = $"p{i}@example.com" })).ToList();

        await new BlobShardJournal(container, Serializer, writePreviousFormats: true).AppendAsync("exp-11/0", "g", ShardJournalEntry.Applied(1, events), default);

        var content = (await container.GetBlobClient(BlobShardJournal.BlobName("exp-11/0", "g")).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(content.Length - sizeof(int), BitConverter.ToInt32(content)); // one plain frame
        var entry = Serializer.Deserialize<ShardJournalEntry>(content.AsMemory(sizeof(int)));
        Assert.Equal(SegmentEventBatch.PreviousVersion, entry!.Batch!.Encoded[0]);
        Assert.Equal(events.Select(e => (e.EventId, e.ProfileId, e.OccurredAt)), entry.ReadEvents().Select(e => (e.EventId, e.ProfileId, e.OccurredAt)));
    }

    [Theory]
    [InlineData(new byte[] { 200, 0, 0, 0x80, 1, 2, 3 })] // a compressed frame promising more bytes than follow it
    [InlineData(new byte[] { 2, 0, 0, 0x80, 9, 9 })] // a compressed frame too short to hold the entry's length
    public async Task Journal_IgnoresACompressedFrameTornByACrash_AndAppendsAfterItInANewSegment(byte[] torn)
    {
        var container = Container("journal");
        var journal = new BlobShardJournal(container, Serializer);
        var profiles = Enumerable.Range(0, 500).Select(i => $"p-{i:D7}").ToArray();
        await journal.AppendAsync("exp-10/0", "g", Entry(1, profiles), default);
        await container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-10/0", "g")).AppendBlockAsync(new MemoryStream(torn));

        await new BlobShardJournal(container, Serializer).AppendAsync("exp-10/0", "g", Entry(2, profiles), default);
        var recovered = await new BlobShardJournal(container, Serializer).RecoverAsync("exp-10/0", "g", default);

        Assert.Equal([1L, 2L], recovered.Select(e => e.CapacityLeft));
        Assert.All(recovered, e => Assert.Equal(profiles, e.Events.Select(ev => ev.ProfileId)));
    }

    [Fact]
    public async Task Journal_ACompressedFrameClaimingAHugeEntry_IsRefusedAsCorrupt_NotAllocated()
    {
        var container = Container("journal");
        // Whole (its bytes all there), compressed, and declaring a 2 GB entry in 12 bytes.
        byte[] frame = [16, 0, 0, 0x80, 0, 0, 0, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        await container.CreateIfNotExistsAsync();
        var blob = container.GetAppendBlobClient(BlobShardJournal.BlobName("exp-12/0", "g"));
        await blob.CreateAsync();
        await blob.AppendBlockAsync(new MemoryStream(frame));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new BlobShardJournal(container, Serializer).RecoverAsync("exp-12/0", "g", default));
        Assert.Contains("says it holds", error.Message);
    }

    [Fact]
    public async Task Journal_DeleteAll_RemovesEveryGeneration()
    {
        var container = Container("journal");
        var journal = new BlobShardJournal(container, Serializer);
        await journal.AppendAsync("exp-3/1", "a", Entry(1, "p-1"), default);
        await journal.AppendAsync("exp-3/1", "b", Entry(1, "p-2"), default);

        await journal.DeleteAllAsync("exp-3/1", default);

        Assert.Empty(container.GetBlobs().ToList());
    }

    [Fact]
    public void KeyRing_InOneBlob_LetsEverySiloDecryptWhatAnotherEncrypted()
    {
        var container = Container("keys");
        var siloA = DataProtection(container);
        var siloB = DataProtection(container);

        var protectedByA = siloA.CreateProtector("api-keys").Protect("ac-secret-key");
        var protectedByB = siloB.CreateProtector("api-keys").Protect("another-secret");

        Assert.Equal("ac-secret-key", siloB.CreateProtector("api-keys").Unprotect(protectedByA));
        Assert.Equal("another-secret", siloA.CreateProtector("api-keys").Unprotect(protectedByB));
        Assert.Single(new BlobXmlRepository(container).GetAllElements());
    }

    [Fact]
    public async Task KeyRing_ConcurrentWriters_KeepEveryKey()
    {
        var container = Container("keys");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            new BlobXmlRepository(container).StoreElement(new System.Xml.Linq.XElement("key", new System.Xml.Linq.XAttribute("id", i)), $"key-{i}"))));

        var ids = new BlobXmlRepository(container).GetAllElements().Select(e => (string)e.Attribute("id")!).Order();
        Assert.Equal(["0", "1", "2", "3"], ids);
    }

    private static IDataProtectionProvider DataProtection(BlobContainerClient container)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("OrleansExport");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new BlobXmlRepository(container));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }
}
