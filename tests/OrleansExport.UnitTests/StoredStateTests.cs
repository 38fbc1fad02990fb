using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansExport.Grains.Audit;
using OrleansExport.Grains.Catalog;
using OrleansExport.Grains.Connections;
using OrleansExport.Grains.DeadLetters;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Exports;
using OrleansExport.Grains.Members;
using OrleansExport.Grains.Runs;
using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>
/// Grain state stored by an earlier build still loads, and is written byte for byte as before: the state
/// classes may move between folders, namespaces and names, but not change what storage holds. Each expected
/// value is what the build before the feature folders wrote for the same sample.
/// </summary>
public sealed class StoredStateTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    // Every stored member, and none of what only describes memory in use (a loaded table holds no spare room).
    private static readonly JsonSerializerOptions AllMembers = new()
    {
        IncludeFields = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => info.Properties.Where(p => p.Name == nameof(MemberTable.AllocatedBytes)).ToList().ForEach(p => info.Properties.Remove(p)) },
        },
    };

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(ExportState).Assembly).AddAssembly(typeof(ShardConfig).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void ExportState_LoadsAsBefore_SkippingTheCapacityLeasedItHeldBeforeTheConnectionCountedLeases() => AssertStoredAsBefore(
        new ExportState
        {
            ShardCount = 4,
            StoppedReason = "stopped",
            EventsReceived = 34,
            Run = new RunCounters { RunId = "run-1", Total = 5, Sent = 3, Unsubscribed = 1, Failed = 1, SkippedByCap = 0, Active = true },
            FirstRunStarted = true,
            PausedBy = "alice",
            History = [new DefinitionChange(At, "bob", DefinitionAction.Updated, ["listId"])],
            SubscribedSegments = ["seg-a", "seg-b"],
        },
        "IMABARFBD3N0b3BwZWQBMQGJIUALcnVuLTEBFQENAQUBBQEBAQPgAQNBC2FsaWNlIQADIegggIAAt5arSd4IgQAAAAAAAAAA4EEHYm9iCQMFMQHD2W4+TVJlYWRPbmx5TGlzdEludGVyZmFjZUNvZGVjYDFbW3N0cmluZ11dAANBDWxpc3RJZODg4CEABUELc2VnLWFAC3NlZy1i4OA=",
        writtenNow: "IMABARFBD3N0b3BwZWQCiSFAC3J1bi0xARUBDQEFAQUBAQEDAQHgAQNBC2FsaWNlIQADIegggIAAt5arSd4IgQAAAAAAAAAA4EEHYm9iCQMFMQHD2W4+TVJlYWRPbmx5TGlzdEludGVyZmFjZUNvZGVjYDFbW3N0cmluZ11dAANBDWxpc3RJZODg4CEABUELc2VnLWFAC3NlZy1i4MEBwQHBAcEBAQHg");

    [Fact]
    public void ExportState_KeepsTheUnsubscribeHoldAndThePendingChangeApart()
    {
        var definition = new ExportDefinition("e1", "E1", "c1", "7", ["s1"], new ContactMapping("EmailAddress", null, null, null, [], []), LeaveAction.Unsubscribe, null, "alice", At);
        var sample = new ExportState
        {
            Definition = definition,
            UnsubscribeHold = new UnsubscribeHoldState(new HeldUnsubscribes(150, "held", At), Released: false),
            PendingChange = new PendingChange(definition with { ListId = "8" }, ["listId"]),
        };

        var loaded = _serializer.Deserialize<ExportState>(_serializer.SerializeToArray(sample));

        Assert.NotNull(loaded);
        Assert.Equal(150, loaded.UnsubscribeHold!.Held!.Count);
        Assert.Equal("8", loaded.PendingChange!.Before.ListId);
        Assert.Equal(["listId"], loaded.PendingChange.Changed);
    }

    [Fact]
    public void ExportShardState_LoadsAsBefore()
    {
        var state = new ExportShardState { RejectedTotal = 2, CapacityLeft = 7, RunId = "run-1", EventsReceived = 9, Erased = 1 };
        var slot = state.Members.Add("profile-1");
        state.Members[slot].SegmentMask = 1;
        state.Members[slot].Set(MemberFlags.Dirty);
        state.RejectionCounts[RejectionKind.InvalidEmail] = 2;
        AssertLoadsAsBefore(state, "IMABIuABCQEdQQtydW4tMSIgAAMhAAEBAQEDAQEBAQEBCRVBAQEJFQHg4EEXCnByb2ZpbGUtMQABAcEB4AElIQEDCQMJAAngAQXg");
        var roundTripped = _serializer.Deserialize<ExportShardState>(_serializer.SerializeToArray(state));
        Assert.Equal(JsonSerializer.Serialize(state, AllMembers), JsonSerializer.Serialize(roundTripped, AllMembers));
    }

    [Fact]
    public void MemberSlot_KeepsOptedOutMaybeInAccountContactIdAndLastAccepted_InFiftySixBytes()
    {
        var state = new ExportShardState();
        var slot = state.Members.Add("profile-1");
        state.Members[slot].Set(MemberFlags.OptedOut | MemberFlags.Dirty);
        state.Members[slot].MaybeInAccount = true;
        state.Members[slot].ContactId = 4711;
        state.Members[slot].LastAcceptedSeconds = 123_456;

        var loaded = _serializer.Deserialize<ExportShardState>(_serializer.SerializeToArray(state));

        Assert.Equal(56, System.Runtime.CompilerServices.Unsafe.SizeOf<MemberSlot>());
        Assert.NotNull(loaded);
        Assert.True(loaded.Members[slot].Has(MemberFlags.OptedOut));
        Assert.True(loaded.Members[slot].MaybeInAccount);
        Assert.Equal((4711u, 123_456u), (loaded.Members[slot].ContactId, loaded.Members[slot].LastAcceptedSeconds));
        loaded.Members[slot].MaybeInAccount = false;
        Assert.Equal(MemberFlags.OptedOut | MemberFlags.Dirty, loaded.Members[slot].Flags);
    }

    [Fact]
    public void RunsState_LoadsAsBefore() => AssertStoredAsBefore(
        new ExportRunsState
        {
            Runs = [new RunView("run-1", RunStatus.Succeeded, At, At.AddMinutes(1), 5, 5, 0, 0, 0, 1, "manual", null)],
            Schedule = "0 * * * *",
            ScheduleCheckedUpTo = At,
            Hostname = "acct.example.com",
        },
        "ICAAAyHoQAtydW4tMQkDCSGAgAC3lqtJ3giBAAAAAAAAAADgIYCARnq6q0neCIEAAAAAAAAAAOABFQEVAQEBAQEBgQAAAAAAAPA/QQ1tYW51YWzBAcEB4OBBEzAgKiAqICogKiGAgAC3lqtJ3giBAAAAAAAAAADgQSFhY2N0LmV4YW1wbGUuY29t4A==");

    [Fact]
    public void AccountRunQueueState_LoadsAsBefore() => AssertStoredAsBefore(
        new AccountRunQueueState { Active = new QueuedRun("e1", "r1"), Waiting = [new QueuedRun("e2", "r2")] },
        "ICDoQAVlMUEFcjHgIQADIehABWUyQQVyMuDg4A==");

    [Fact]
    public void ConnectionState_LoadsAsBefore() => AssertStoredAsBefore(
        new ConnectionState
        {
            DisplayName = "Main",
            Hostname = "acct.example.com",
            ProtectedApiKey = "protected",
            ApiKeyHint = "…abcd",
            AllowContributors = true,
            DataPrivacyConsent = true,
            ProfileCap = 1000,
            ExportUsers = ["alice"],
            CreatedAt = At,
            LeasedByExport = new() { ["e1"] = 10 },
            KeyVersion = 2,
            KeyVerifiedAt = At,
        },
        "IEAJTWFpbkEhYWNjdC5leGFtcGxlLmNvbUETcHJvdGVjdGVkQQ/igKZhYmNkAQMBAwFCHyEAA0ELYWxpY2XgIYCAALeWq0neCIEAAAAAAAAAAOAhAQNBBWUxACngAQkhgIAAt5arSd4IgQAAAAAAAAAA4MEB4A==");

    [Fact]
    public void CatalogState_LoadsAsBefore()
    {
        var state = new CatalogState();
        state.Connections.Add("c1");
        state.Exports["e1"] = "c1";
        state.Segments.Add("s1");
        AssertStoredAsBefore(state, "ICAgAANBBWMx4DEBMSzULh1TdHJpbmdDb21wYXJlcgADAQHg4CEgAAMhQAVlMcEL4OA5AwADAQHg4CIgAANBBXMx4DkDAAMBAeDg4A==");
    }

    [Fact]
    public void AuditState_LoadsAsBefore() => AssertStoredAsBefore(
        new AuditState { Entries = [new AuditEntry(At, "alice", AuditAction.Updated, AuditSubject.Export, "e1", ["listId"])] },
        "ICAAAyHoIICAALeWq0neCIEAAAAAAAAAAOBBC2FsaWNlCQMFCQMFQQVlMTEBw9luPk1SZWFkT25seUxpc3RJbnRlcmZhY2VDb2RlY2AxW1tzdHJpbmddXQADQQ1saXN0SWTgwQHg4OA=");

    [Fact]
    public void DeadLetterState_LoadsAsBefore() => AssertStoredAsBefore(new DeadLetterState { Malformed = 3, OutOfScope = 4 }, "IAANAREh4OA=");

    [Fact]
    public void SegmentState_LoadsAsBefore() => AssertStoredAsBefore(
        new SegmentState { ShardCount = 2, Exports = [new ExportSubscription("e1", 4)], LastEventAt = At, EventsReceived = 8, MembersByShard = [3, 5] },
        "IAAJIQADIehABWUxARHg4CGAgAC3lqtJ3giBAAAAAAAAAADgASEhAAUBDQAV4OA=");

    /// <summary>Bytes stored before a field was dropped or widened (MemberFlags: a ushort now) still load.</summary>
    private void AssertLoadsAsBefore<T>(T sample, string storedBefore)
    {
        var loaded = _serializer.Deserialize<T>(Convert.FromBase64String(storedBefore));
        Assert.Equal(JsonSerializer.Serialize(sample, AllMembers), JsonSerializer.Serialize(loaded, AllMembers));
    }

    /// <param name="writtenNow">
    /// What this build writes, when a field was added or dropped since (ExportState: id 3, the capacity leased, dropped;
    /// id 10, the unsubscribe hold, id 11, the pending change, id 12, a deletion under way, and id 13, the generation of the accepted imports' journal, null here; id 14, the sequence its deliveries reached, 0 here; id 7 of RunCounters: the run's held
    /// unsubscribes, 0 here).
    /// </param>
    private void AssertStoredAsBefore<T>(T sample, string storedBefore, string? writtenNow = null)
    {
        var written = Convert.ToBase64String(_serializer.SerializeToArray(sample));
        Assert.Equal(writtenNow ?? storedBefore, written);
        var loaded = _serializer.Deserialize<T>(Convert.FromBase64String(storedBefore));
        Assert.Equal(JsonSerializer.Serialize(sample, AllMembers), JsonSerializer.Serialize(loaded, AllMembers));
    }
}
