using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

/// <summary>
/// The send policy as a table: every combination of a member's flags and data and of the export's onLeave and
/// onErase (an opted-out member included) falls in exactly one row, and each row says what ActiveCampaign is told. "*" is any value; "-" is nothing.
/// </summary>
public sealed class SendPolicyTests
{
    // Columns: has data, opted out, erasure, in a segment, skipped by cap, subscribed in AC, unsubscribed in AC, maybe in AC (sent,
    // outcome unknown), in run, failed, data changed since accepted, onLeave, onErase -> action.
    private static readonly (string Data, string OptedOut, string Erasure, string InSegment, string Skipped, string Subscribed, string Unsubscribed, string MaybeInAc,
        string InRun, string Failed, string Changed, string OnLeave, string OnErase, string Action)[] Rows =
    [
        // No data (never mapped, or forgotten after an erasure): nothing to send.
        ("n", "*", "*",         "*", "*", "*", "*", "*", "*", "*", "*", "*",     "*",      "-"),

        // Opted out (the person's choice is final): nothing, unless an erasure deletes the contact.
        ("y", "y", "pending",   "*", "*", "*", "*", "*", "*", "*", "*", "*",     "delete", "Delete"),
        ("y", "y", "pending",   "*", "*", "*", "*", "*", "*", "*", "*", "*",     "unsub",  "-"),
        ("y", "y", "none|done", "*", "*", "*", "*", "*", "*", "*", "*", "*",     "*",      "-"),

        // Erasure pending: only a contact AC may have from us, and not after a failed attempt; onLeave does not matter.
        ("y", "n", "pending",   "*", "*", "n", "n", "n", "*", "*", "*", "*",     "*",      "-"),
        ("y", "n", "pending",   "*", "*", "y", "*", "*", "*", "y", "*", "*",     "*",      "-"),
        ("y", "n", "pending",   "*", "*", "n", "y", "*", "*", "y", "*", "*",     "*",      "-"),
        ("y", "n", "pending",   "*", "*", "n", "n", "y", "*", "y", "*", "*",     "*",      "-"),
        ("y", "n", "pending",   "*", "*", "y", "*", "*", "*", "n", "*", "*",     "delete", "Delete"),
        ("y", "n", "pending",   "*", "*", "n", "y", "*", "*", "n", "*", "*",     "delete", "Delete"),
        ("y", "n", "pending",   "*", "*", "n", "n", "y", "*", "n", "*", "*",     "delete", "Delete"),
        ("y", "n", "pending",   "*", "*", "y", "n", "*", "*", "n", "*", "*",     "unsub",  "Unsubscribe"),
        ("y", "n", "pending",   "*", "*", "n", "n", "y", "*", "n", "*", "*",     "unsub",  "Unsubscribe"),
        ("y", "n", "pending",   "*", "*", "*", "y", "y", "*", "n", "*", "*",     "unsub",  "Unsubscribe"),
        ("y", "n", "pending",   "*", "*", "*", "y", "n", "*", "n", "*", "*",     "unsub",  "-"),

        // A member (in a segment, within the cap); whether an unconfirmed send reached AC does not matter.
        ("y", "n", "none|done", "y", "n", "*", "y", "*", "*", "*", "*", "*",     "*",      "Resubscribe"),
        ("y", "n", "none|done", "y", "n", "*", "n", "*", "y", "*", "*", "*",     "*",      "Upsert"),
        ("y", "n", "none|done", "y", "n", "*", "n", "*", "n", "n", "y", "*",     "*",      "Upsert"),
        ("y", "n", "none|done", "y", "n", "n", "n", "*", "n", "n", "n", "*",     "*",      "Upsert"),
        ("y", "n", "none|done", "y", "n", "y", "n", "*", "n", "n", "n", "*",     "*",      "-"),
        ("y", "n", "none|done", "y", "n", "*", "n", "*", "n", "y", "*", "*",     "*",      "-"),

        // Not a member (left every segment, or over the cap): onLeave=keep, or over the cap, sends nothing.
        ("y", "n", "none|done", "n", "*", "*", "*", "*", "*", "*", "*", "keep",  "*",      "-"),
        ("y", "n", "none|done", "y", "y", "*", "*", "*", "*", "*", "*", "keep",  "*",      "-"),
        ("y", "n", "none|done", "*", "y", "*", "*", "*", "*", "*", "*", "unsub", "*",      "-"),

        // Left with onLeave=unsubscribe: only a contact we subscribed, or may have (a send whose outcome is unknown);
        // a run unsubscribes again one AC already has unsubscribed.
        ("y", "n", "none|done", "n", "n", "*", "*", "y", "*", "*", "*", "unsub", "*",      "Unsubscribe"),
        ("y", "n", "none|done", "n", "n", "y", "n", "n", "*", "*", "*", "unsub", "*",      "Unsubscribe"),
        ("y", "n", "none|done", "n", "n", "y", "y", "n", "y", "*", "*", "unsub", "*",      "Unsubscribe"),
        ("y", "n", "none|done", "n", "n", "y", "y", "n", "n", "*", "*", "unsub", "*",      "-"),
        ("y", "n", "none|done", "n", "n", "n", "y", "n", "y", "*", "*", "unsub", "*",      "Unsubscribe"),
        ("y", "n", "none|done", "n", "n", "n", "y", "n", "n", "*", "*", "unsub", "*",      "-"),
        ("y", "n", "none|done", "n", "n", "n", "n", "n", "*", "*", "*", "unsub", "*",      "-"),
    ];

    private static readonly Dictionary<string, ErasureState> Erasures = new() { ["none"] = ErasureState.None, ["pending"] = ErasureState.Pending, ["done"] = ErasureState.Done };
    private static readonly Dictionary<string, LeaveAction> OnLeaves = new() { ["unsub"] = LeaveAction.Unsubscribe, ["keep"] = LeaveAction.Keep };
    private static readonly Dictionary<string, EraseAction> OnErases = new() { ["unsub"] = EraseAction.Unsubscribe, ["delete"] = EraseAction.Delete };

    public static TheoryData<int> RowNumbers => [.. Enumerable.Range(0, Rows.Length)];

    [Theory]
    [MemberData(nameof(RowNumbers))]
    public void EveryCombinationOfTheRow_GetsTheRowsAction(int row)
    {
        var expected = Rows[row].Action == "-" ? (ContactAction?)null : Enum.Parse<ContactAction>(Rows[row].Action);
        foreach (var combination in Expand(Rows[row]))
        {
            Assert.True(expected == SendPolicy.ActionFor(combination.Member, combination.OnLeave, combination.OnErase), $"row {row}: {combination}");
        }
    }

    [Fact]
    public void TheTable_HoldsEveryCombinationExactlyOnce()
    {
        var seen = Rows.SelectMany(Expand).Select(c => c.ToString()).ToList();

        Assert.Equal(2 * 2 * 3 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    private sealed record Combination(MemberSlot Member, LeaveAction OnLeave, EraseAction OnErase)
    {
        public override string ToString() =>
            $"data={Member.HasData} erasure={Member.Erasure} segmentMask={Member.SegmentMask} flags={Member.Flags} maybeInAc={Member.MaybeInAccount} changed={Member.DataHash != Member.AcceptedHash} onLeave={OnLeave} onErase={OnErase}";
    }

    private static IEnumerable<Combination> Expand(
        (string Data, string OptedOut, string Erasure, string InSegment, string Skipped, string Subscribed, string Unsubscribed, string MaybeInAc,
            string InRun, string Failed, string Changed, string OnLeave, string OnErase, string Action) row) =>
        from data in Bools(row.Data)
        from optedOut in Bools(row.OptedOut)
        from erasure in Values(row.Erasure, Erasures)
        from inSegment in Bools(row.InSegment)
        from skipped in Bools(row.Skipped)
        from subscribed in Bools(row.Subscribed)
        from unsubscribed in Bools(row.Unsubscribed)
        from maybeInAc in Bools(row.MaybeInAc)
        from inRun in Bools(row.InRun)
        from failed in Bools(row.Failed)
        from changed in Bools(row.Changed)
        from onLeave in Values(row.OnLeave, OnLeaves)
        from onErase in Values(row.OnErase, OnErases)
        select new Combination(
            Member(data, erasure, inSegment, Flag(skipped, MemberFlags.SkippedByCap) | Flag(subscribed, MemberFlags.SubscribedInAc)
                | Flag(unsubscribed, MemberFlags.UnsubscribedInAc) | Flag(inRun, MemberFlags.InRun) | Flag(failed, MemberFlags.Failed)
                | Flag(optedOut, MemberFlags.OptedOut), changed, maybeInAc),
            onLeave,
            onErase);

    private static MemberSlot Member(bool data, ErasureState erasure, bool inSegment, MemberFlags flags, bool changed, bool maybeInAc)
    {
        var dataHash = data ? 7UL : 0;
        return new MemberSlot
        {
            DataHash = dataHash, AcceptedHash = changed ? 9UL : dataHash, Erasure = erasure, SegmentMask = inSegment ? 1UL : 0, Flags = flags, MaybeInAccount = maybeInAc,
        };
    }

    private static MemberFlags Flag(bool set, MemberFlags flag) => set ? flag : MemberFlags.None;

    private static bool[] Bools(string cell) => cell switch
    {
        "y" => [true],
        "n" => [false],
        "*" => [false, true],
        _ => throw new ArgumentException($"not y, n or *: {cell}"),
    };

    private static T[] Values<T>(string cell, Dictionary<string, T> named) =>
        cell == "*" ? [.. named.Values] : [.. cell.Split('|').Select(name => named[name])];
}
