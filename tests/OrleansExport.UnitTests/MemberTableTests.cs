using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExport.Grains.Membership;

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
        var state = new ShardState();
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

        var copy = serializer.Deserialize<ShardState>(serializer.SerializeToArray(state))!.Members;

        Assert.Equal(1_000, copy.Count);
        Assert.Equal(777, copy.Find("p-777"));
        Assert.Equal(776, copy[776].LastOccurredTicks);
        Assert.True(copy[776].Has(MemberFlags.Dirty));
        Assert.Equal("p776@example.com", copy.Data(776)!.Email);
        Assert.Null(copy.Data(777));
        Assert.Equal(1_001, copy.Add("p-new") + 1);
        Assert.Equal(1_000, copy.Find("p-new"));
    }
}
