using CsCheck;

namespace OrleansExport.ActiveCampaign.Tests;

public sealed class ImportPackerTests
{
    private static readonly ImportPacker DefaultPacker = new(new ActiveCampaignLimits());

    [Fact]
    public void SmallContacts_AreBatchedBy250()
    {
        var result = DefaultPacker.Pack(Contacts(600));

        Assert.Equal([250, 250, 100], result.Batches.Select(batch => batch.Contacts.Count));
        Assert.Empty(result.Unsendable);
        AssertSizesAreExact(result, maxBytes: 399_999);
    }

    [Fact]
    public void LargeContacts_FillEachBatchUpToTheByteLimit()
    {
        var contacts = Contacts(300, fieldLength: 5_000);

        var result = DefaultPacker.Pack(contacts);

        Assert.True(result.Batches.Count > 2);
        AssertSizesAreExact(result, maxBytes: 399_999);
        AssertGreedilyFull(result, maxContacts: 250, maxBytes: 399_999);
        Assert.Equal(contacts, result.Batches.SelectMany(batch => batch.Contacts));
    }

    [Fact]
    public void ContactLargerThanTheLimit_IsReportedUnsendable_AndNeverBatched()
    {
        var contacts = Contacts(3).ToList();
        var huge = contacts[1] with { Fields = [new FieldValue(1, new string('x', 400_000))] };
        contacts[1] = huge;

        var result = DefaultPacker.Pack(contacts);

        var unsendable = Assert.Single(result.Unsendable);
        Assert.Same(huge, unsendable.Contact);
        Assert.Contains("399,999-byte", unsendable.Reason);
        Assert.Equal([contacts[0], contacts[2]], Assert.Single(result.Batches).Contacts);
    }

    [Fact]
    public void AMillionContacts_PackIntoFullBatches()
    {
        var result = DefaultPacker.Pack(Contacts(1_000_000));

        Assert.Equal(4_000, result.Batches.Count);
        Assert.All(result.Batches, batch => Assert.Equal(250, batch.Contacts.Count));
    }

    [Fact]
    public void AnyContactsAndLimits_PackExactlyAndGreedily()
    {
        var text = Gen.OneOf("a", "Z", "7", " ", "\"", "\\", "<", "é", "中", "😀", "\n", "\u0001", "\uD800")
            .Array[0, 30].Select(string.Concat);
        var optionalText = Gen.Frequency((3, text.Select(s => (string?)s)), (1, Gen.Const((string?)null)));
        var contact = Gen.Select(text, optionalText, optionalText, text.Array[0, 3], Gen.Int[0, 3])
            .Select((email, first, last, tags, fieldCount) => new BulkContact(
                email + "@example.com", first, last, null,
                Enumerable.Range(1, fieldCount).Select(id => new FieldValue(id, email + first)).ToArray(),
                tags, fieldCount > 1 ? "1" : null, null));
        var scenario = Gen.Select(contact.Array[0, 80], Gen.Int[1, 12], Gen.Int[60, 2_000]);

        scenario.Sample((contacts, maxContacts, maxBytes) =>
        {
            var result = new ImportPacker(maxContacts, maxBytes).Pack(contacts);

            AssertSizesAreExact(result, maxBytes);
            AssertGreedilyFull(result, maxContacts, maxBytes);
            Assert.All(result.Batches, batch => Assert.InRange(batch.Contacts.Count, 1, maxContacts));
            Assert.All(result.Unsendable, rejected => Assert.True(SizeAlone(rejected.Contact) > maxBytes));
            Assert.Equal(
                contacts.Where(c => SizeAlone(c) <= maxBytes),
                result.Batches.SelectMany(batch => batch.Contacts));
        }, iter: 300);
    }

    private static void AssertSizesAreExact(PackResult result, int maxBytes) =>
        Assert.All(result.Batches, batch =>
        {
            var body = BulkImportSerializer.Serialize(batch.Contacts);
            Assert.Equal(body.Length, batch.SizeInBytes);
            Assert.True(body.Length <= maxBytes, $"{body.Length} > {maxBytes}");
        });

    // Each batch but the last is closed only because the next contact would not fit.
    private static void AssertGreedilyFull(PackResult result, int maxContacts, int maxBytes)
    {
        for (var i = 0; i + 1 < result.Batches.Count; i++)
        {
            var batch = result.Batches[i];
            var next = result.Batches[i + 1].Contacts[0];
            var nextFits = batch.SizeInBytes + 1 + (SizeAlone(next) - BulkImportSerializer.EnvelopeBytes) <= maxBytes;
            Assert.True(batch.Contacts.Count == maxContacts || !nextFits, $"batch {i} could have taken one more contact");
        }
    }

    private static int SizeAlone(BulkContact contact) => BulkImportSerializer.Serialize([contact]).Length;

    private static IReadOnlyList<BulkContact> Contacts(int count, int fieldLength = 0) =>
        Enumerable.Range(0, count)
            .Select(i => new BulkContact(
                $"contact{i}@example.com", "First", "Last", null,
                fieldLength > 0 ? [new FieldValue(7, new string('v', fieldLength))] : [],
                ["from-ci"], "1", null))
            .ToArray();
}
