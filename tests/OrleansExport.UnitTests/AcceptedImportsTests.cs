using Microsoft.Extensions.Logging.Abstractions;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.UnitTests;

/// <summary>
/// Imports ActiveCampaign accepted are journaled until the shards have their outcomes (<see cref="AcceptedImports"/>):
/// which are outstanding after a crash, what import/info's answer makes of them, and how the journal starts a new
/// generation without losing one.
/// </summary>
public sealed class AcceptedImportsTests
{
    private readonly ExportState _state = new();
    private readonly MemoryJournal _journal = new();
    private int _stateWrites;

    private AcceptedImports NewImports(int entriesPerGeneration = AcceptedImports.DefaultEntriesPerGeneration) =>
        new("exp-1", _journal, () => _state, () =>
        {
            _stateWrites++;
            return Task.CompletedTask;
        }, NullLogger.Instance, entriesPerGeneration);

    private static AcceptedImport Import(string batchId, params int[] profiles) =>
        new(batchId, [.. profiles.Select(p => new ImportedContact($"p{p}", ContactAction.Upsert, (ulong)p + 100, $"p{p}@example.com", 0))]);

    [Fact]
    public void Outstanding_AreTheAcceptedNotConfirmed_InTheOrderAccepted_EachOnce()
    {
        ShardJournalEntry[] entries =
        [
            ShardJournalEntry.Accepted([Import("b1", 1)]),
            ShardJournalEntry.Accepted([Import("b2", 2)]),
            ShardJournalEntry.Accepted([Import("b3", 3)]),
            ShardJournalEntry.Confirmed(["b2"]),
            ShardJournalEntry.Accepted([Import("b1", 1)]),
            ShardJournalEntry.Confirmed(["b9"]),
        ];

        Assert.Equal(["b1", "b3"], ImportOutcomes.Outstanding(entries).Select(i => i.BatchId));
    }

    [Fact]
    public void Completed_ListedAsFailed_GoesBackToPending_UntilTheLastTry_EveryOtherContactIsAccepted()
    {
        var import = new AcceptedImport("b1",
        [
            new ImportedContact("p1", ContactAction.Upsert, 11, "p1@example.com", 0),
            new ImportedContact("p2", ContactAction.Upsert, 12, "p2@example.com", 0),
            new ImportedContact("p3", ContactAction.Unsubscribe, 13, "p3@example.com", 3),
        ]);

        var outcomes = ImportOutcomes.Completed(import, ["P2@Example.com", "p3@example.com"], importFailureRetries: 3);

        Assert.Equal([("p1", OutcomeKind.Accepted, 11UL), ("p2", OutcomeKind.FailedInImport, 12UL), ("p3", OutcomeKind.Failed, 13UL)],
            outcomes.Select(o => (o.ProfileId, o.Kind, o.Hash)));
        Assert.Equal(ContactAction.Unsubscribe, outcomes[2].Action);
        Assert.Equal(RejectionKind.FailedInImport, outcomes[2].RejectionKind);
        Assert.Contains("4 times in a row", outcomes[2].Reason);
        Assert.All(ImportOutcomes.Unconfirmed(import), o => Assert.Equal(OutcomeKind.Unconfirmed, o.Kind));
    }

    [Fact]
    public async Task AnImportAcceptedAndNotConfirmed_IsWhatTheNextActivationRecovers()
    {
        var imports = NewImports();
        Assert.Empty(await imports.RecoverAsync());
        await imports.AcceptedAsync(Import("b1", 1, 2));
        await imports.AcceptedAsync(Import("b2", 3));
        await imports.ConfirmedAsync(["b1"]);

        var recovered = await NewImports().RecoverAsync();

        var import = Assert.Single(recovered);
        Assert.Equal("b2", import.BatchId);
        Assert.Equal(new ImportedContact("p3", ContactAction.Upsert, 103, "p3@example.com", 0), Assert.Single(import.Contacts));
    }

    [Fact]
    public async Task WhatIsAcceptedWhileAnAppendIsUnderWay_GoesInOneAppend_AndEachCallerReturnsOnceItsImportIsDurable()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        _journal.Gate = new TaskCompletionSource();
        var first = imports.AcceptedAsync(Import("b1", 1));
        var second = imports.AcceptedAsync(Import("b2", 2));
        var confirmed = imports.ConfirmedAsync(["b1"]);
        var third = imports.AcceptedAsync(Import("b3", 3));
        Assert.False(second.IsCompleted || third.IsCompleted);

        _journal.Gate.SetResult();
        await Task.WhenAll(first, second, confirmed, third);

        Assert.Equal(2, Assert.Single(_journal.Blobs).Value.Count);
        Assert.Equal(["b2", "b3"], imports.Outstanding.Select(i => i.BatchId));
        Assert.Equal(["b2", "b3"], (await NewImports().RecoverAsync()).Select(i => i.BatchId));
    }

    [Fact]
    public async Task AFullGeneration_StartsANewOne_HoldingOnlyTheOutstanding_AndTheOldIsDeleted()
    {
        var imports = NewImports(entriesPerGeneration: 4);
        await imports.RecoverAsync();
        for (var i = 0; i < 5; i++)
        {
            await imports.AcceptedAsync(Import($"b{i}", i));
            if (i != 2)
            {
                await imports.ConfirmedAsync([$"b{i}"]);
            }
        }

        Assert.NotNull(_state.AcceptedImportsGeneration);
        Assert.True(_stateWrites >= 2);
        var blob = Assert.Single(_journal.Blobs);
        Assert.Equal(_state.AcceptedImportsGeneration, blob.Key.Generation);
        Assert.Equal(AcceptedImports.JournalKey("exp-1"), blob.Key.Key);
        Assert.True(blob.Value.Count <= 4);
        Assert.Equal(["b2"], (await NewImports().RecoverAsync()).Select(i => i.BatchId));
    }

    [Fact]
    public async Task AfterAFailedAppend_TheNextStartsANewGeneration_AndNothingAcceptedIsLost()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;
        await Assert.ThrowsAsync<IOException>(() => imports.AcceptedAsync(Import("b2", 2)));
        var generationBefore = _state.AcceptedImportsGeneration;

        await imports.AcceptedAsync(Import("b3", 3));

        Assert.NotEqual(generationBefore, _state.AcceptedImportsGeneration);
        Assert.Equal(["b1", "b3"], (await NewImports().RecoverAsync()).Select(i => i.BatchId));
    }

    [Fact]
    public async Task AConfirmationThatCannotBeJournaled_IsOnlyLogged_AndTheImportIsAskedAboutAgain()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;

        await imports.ConfirmedAsync(["b1"]);

        Assert.Equal(["b1"], (await NewImports().RecoverAsync()).Select(i => i.BatchId));
    }

    [Fact]
    public async Task WithoutAJournal_NothingIsKept()
    {
        var imports = new AcceptedImports("exp-1", null, () => _state, () => Task.CompletedTask, NullLogger.Instance);

        await imports.AcceptedAsync(Import("b1", 1));

        Assert.Empty(imports.Outstanding);
        Assert.Empty(await imports.RecoverAsync());
        Assert.Null(_state.AcceptedImportsGeneration);
    }
}
