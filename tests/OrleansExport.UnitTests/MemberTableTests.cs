using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

public sealed class MemberTableTests
{
    private static ContactData Data(string email, string? first = "Ann", params string?[] fields) => new(email, first, "Lee", null, fields);

    [Fact]
    public void Find_ReturnsTheSlotOfEachAddedProfile_AndMinusOneForOthers()
    {
        var table = new MemberTable();
        var slots = Enumerable.Range(0, 5_000).Select(i => table.Add($"p-{i}")).ToList();

        Assert.Equal(Enumerable.Range(0, 5_000), slots);
        Assert.All(Enumerable.Range(0, 5_000), i => Assert.Equal(i, table.Find($"p-{i}")));
        Assert.Equal(-1, table.Find("p-5000"));
        Assert.Equal(-1, table.Find("P-1"));
    }

    [Fact]
    public void Find_AllocatesNothing_OnceTheIndexIsBuilt()
    {
        var table = new MemberTable();
        var ids = Enumerable.Range(0, 1_000).Select(i => $"p-{i}").Append("missing").ToArray();
        foreach (var id in ids.SkipLast(1))
        {
            table.Add(id);
        }

        long allocated = 0;
        for (var round = 0; round < 2; round++)
        {
            // The first round builds the index and fills the buffer pool; the second must allocate nothing.
            var before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var id in ids)
            {
                table.Find(id);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Data_RoundTripsEveryField_IncludingNullsAndNonAscii()
    {
        var table = new MemberTable();
        var slot = table.Add("prof-ø-東京");

        Assert.Null(table.Data(slot));
        table.SetData(slot, new ContactData("åse@example.com", null, "Østby", "+47 555", ["gold", null, ""]));

        var data = table.Data(slot)!;
        Assert.Equal("prof-ø-東京", table.ProfileId(slot));
        Assert.Equal(slot, table.Find("prof-ø-東京"));
        Assert.Equal(("åse@example.com", (string?)null, "Østby", "+47 555"), (data.Email, data.FirstName, data.LastName, data.Phone));
        Assert.Equal(new[] { "gold", null, "" }, data.FieldValues.AsEnumerable());
        Assert.Equal("åse@example.com", table.Email(slot));
    }

    [Fact]
    public void ManyDataChanges_CompactTheArena_AndKeepTheNewestData()
    {
        var table = new MemberTable();
        for (var i = 0; i < 100; i++)
        {
            table.Add($"p-{i}");
        }

        for (var round = 0; round < 200; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                table.SetData(i, Data($"p{i}@example.com", $"round-{round}-{new string('x', 20)}"));
            }
        }

        // 20,000 writes of about 60 bytes: 1.2 MB without compaction.
        Assert.True(table.Arena.Length < 150_000, $"the arena holds {table.Arena.Length} bytes: garbage was not compacted");
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal($"round-199-{new string('x', 20)}", table.Data(i)!.FirstName));
        Assert.Equal(42, table.Find("p-42"));
    }

    [Fact]
    public void OrleansSerializer_RoundTripsSlotsDataAndIndex()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var state = new ExportShardState();
        for (var i = 0; i < 1_000; i++)
        {
            var slot = state.Members.Add($"p-{i}");
            ref var member = ref state.Members[slot];
            member.LastOccurredTicks = i;
            member.SegmentMask = 1;
            member.Set(MemberFlags.Dirty);
            if (i % 2 == 0)
            {
                state.Members.SetData(slot, Data($"p{i}@example.com", fields: ["gold"]));
                state.Members[slot].DataHash = (ulong)i + 1;
            }
        }

        var copy = serializer.Deserialize<ExportShardState>(serializer.SerializeToArray(state))!.Members;

        Assert.Equal(1_000, copy.Count);
        Assert.Equal(777, copy.Find("p-777"));
        Assert.Equal(776, copy[776].LastOccurredTicks);
        Assert.True(copy[776].Has(MemberFlags.Dirty));
        Assert.Equal("p776@example.com", copy.Data(776)!.Email);
        Assert.Null(copy.Data(777));
        Assert.Equal(1_001, copy.Add("p-new") + 1);
        Assert.Equal(1_000, copy.Find("p-new"));
    }

    private static Dictionary<string, string> Profile(int i) => new()
    {
        ["EmailAddress"] = $"p{i}@example.com",
        ["FirstName"] = $"First{i}",
        ["Tier"] = "gold",
    };

    [Fact]
    public void AttributeNames_AreStoredOnceForTheTable_NotWithEveryMember()
    {
        var table = new MemberTable();
        for (var i = 0; i < 1_000; i++)
        {
            table.SetAttributes(table.Add($"p-{i}"), Profile(i));
        }

        Assert.Equal(["EmailAddress", "FirstName", "Tier"], table.AttributeNames!);
        Assert.Equal(Profile(777), table.Attributes(777));
        // Per member: id 6 bytes, count 1, three references of 3, values 17 + 9 + 5: 47 bytes; with the names inline, 66.
        var live = table.Arena.Length - table.GarbageBytes;
        Assert.True(live <= 1_000 * 50, $"the arena's entries take {live} bytes: the names are still in them");
    }

    [Fact]
    public void ATableWrittenWithInlineNames_ReadsAsBefore_AndSharesTheNamesOnItsNextWrite()
    {
        // The encoding of a table persisted before names were shared: per member, its id, 2n, then name and value strings.
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var old = new MemberTable();
        old.Add("p-0");
        old.Add("p-1");
        old.Arena = [.. Entry("p-0", "EmailAddress", "ann@example.com", "Tier", "gold"), .. Entry("p-1")];
        old.Slots = [new MemberSlot { EntryOffset = 0 }, new MemberSlot { EntryOffset = Entry("p-0", "EmailAddress", "ann@example.com", "Tier", "gold").Length }];
        old.AttributeNames = null;
        var table = serializer.Deserialize<MemberTable>(serializer.SerializeToArray(old))!;

        Assert.Null(table.AttributeNames);
        Assert.Equal(new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Tier"] = "gold" }, table.Attributes(0));
        Assert.Null(table.Attributes(1));
        Assert.Equal(1, table.Find("p-1"));

        table.SetAttributes(1, new Dictionary<string, string> { ["Tier"] = "silver" });

        Assert.Equal(["EmailAddress", "Tier"], table.AttributeNames!);
        Assert.Equal(new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Tier"] = "gold" }, table.Attributes(0));
        Assert.Equal(new Dictionary<string, string> { ["Tier"] = "silver" }, table.Attributes(1));
        var copy = serializer.Deserialize<MemberTable>(serializer.SerializeToArray(table))!;
        Assert.Equal(new Dictionary<string, string> { ["EmailAddress"] = "ann@example.com", ["Tier"] = "gold" }, copy.Attributes(0));
    }

    [Fact]
    public void NamesBeyondTheSharedLimit_StayInline_AndANameThatLooksLikeAReference_IsStillItself()
    {
        var table = new MemberTable();
        for (var i = 0; i < MemberTable.MaxSharedNames + 10; i++)
        {
            table.SetAttributes(table.Add($"p-{i}"), new Dictionary<string, string> { [$"name-{i}"] = "v" });
        }

        var odd = table.Add("p-odd");
        table.SetAttributes(odd, new Dictionary<string, string> { ["\u00001"] = "looks like a reference", ["name-5"] = "shared" });

        Assert.Equal(MemberTable.MaxSharedNames + 1, table.AttributeNames!.Length);
        Assert.Equal(new Dictionary<string, string> { [$"name-{MemberTable.MaxSharedNames + 5}"] = "v" }, table.Attributes(MemberTable.MaxSharedNames + 5));
        Assert.Equal(new Dictionary<string, string> { ["\u00001"] = "looks like a reference", ["name-5"] = "shared" }, table.Attributes(odd));
    }

    /// <summary>One entry in the arena's encoding: strings as varint(UTF-8 length + 1) and bytes (all short here).</summary>
    private static byte[] Entry(string profileId, params string[] values)
    {
        var bytes = new List<byte>();
        void Write(string value)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
            bytes.Add((byte)(utf8.Length + 1));
            bytes.AddRange(utf8);
        }

        Write(profileId);
        bytes.Add((byte)values.Length);
        foreach (var value in values)
        {
            Write(value);
        }

        return [.. bytes];
    }
}
