using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Exports;

namespace OrleansExport.UnitTests;

public sealed class BatchSenderTests
{
    private static readonly ActiveCampaignAccount Account = new("acme.api-us1.com", "key");
    private static readonly ExportDefinition Export = new("exp-1", "Export", "con-1", "7", ["s1"],
        new ContactMapping("EmailAddress", "FirstName", null, null, [new FieldMapping("Tier", 3)], ["vip"]), LeaveAction.Unsubscribe, null, "alice", DateTimeOffset.UnixEpoch);

    private readonly ScriptedClient _client = new();

    private BatchSender NewSender() => NewSender(new ExportOptions { ImportInfoDelay = TimeSpan.FromMilliseconds(1) });

    private BatchSender NewSender(ExportOptions options, OptOutSweep? sweep = null) => new(_client, new TagIdCache(_client),
        sweep ?? NewSweep(), Options.Create(options), Options.Create(new ActiveCampaignOptions()), TimeProvider.System, NullLogger<BatchSender>.Instance);

    private OptOutSweep NewSweep() => new(_client, Options.Create(new ExportOptions()), Options.Create(new ActiveCampaignOptions()), TimeProvider.System,
        NullLogger<OptOutSweep>.Instance);

    private static OutgoingContact Contact(int i, ContactAction action = ContactAction.Upsert, bool subscribed = false) =>
        new($"p{i}", action, new ContactData($"p{i}@example.com", $"First{i}", null, null, ["gold"]), (ulong)i + 1, subscribed, InRun: false);

    [Fact]
    public async Task FullBatch_GoesAsOneBulkImportWithListTagsAndFields()
    {
        var contacts = Enumerable.Range(0, 250).Select(i => Contact(i)).ToList();

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        var import = Assert.Single(_client.Imports);
        Assert.Equal(250, import.Count);
        Assert.All(import, c => Assert.Equal(("7", (string?)null, "vip", 3), (c.SubscribeListId!, c.UnsubscribeListId, c.Tags.Single(), c.Fields.Single().FieldId)));
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
    }

    [Fact]
    public async Task BadRequestNamingContacts_QuarantinesThemAndResendsTheRest()
    {
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i)).ToList();
        _client.NextImportResults.Enqueue(new BulkImportResult.Invalid([new ContactFailure(3, "bad email"), new ContactFailure(11, "bad email")]));

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal(2, _client.Imports.Count);
        Assert.Equal(18, _client.Imports[1].Count);
        Assert.DoesNotContain(_client.Imports[1], c => c.Email is "p3@example.com" or "p11@example.com");
        Assert.Equal(["p11", "p3"], outcomes.Where(o => o.Kind == OutcomeKind.Failed).Select(o => o.ProfileId).Order());
        Assert.Equal(18, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
    }

    [Fact]
    public async Task ContactsImportInfoListsAsFailed_GoBackToBeSentAgain_AndAreRejectedAfterTheLastTry()
    {
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i) with { ImportFailures = i == 6 ? 3 : 0 }).ToList();
        _client.FailedEmails.Add("P5@example.com");
        _client.FailedEmails.Add("p6@example.com");

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal("p5", Assert.Single(outcomes, o => o.Kind == OutcomeKind.FailedInImport).ProfileId);
        var failed = Assert.Single(outcomes, o => o.Kind == OutcomeKind.Failed);
        Assert.Equal("p6", failed.ProfileId);
        Assert.Contains("4 times in a row", failed.Reason);
        Assert.Equal(18, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
        Assert.Equal(2, _client.InfoCalls);   // "processing" once, then "completed"
    }

    [Fact]
    public async Task TinyBatch_UsesContactSyncAndSubscribesOnlyNewMembers()
    {
        OutgoingContact[] contacts = [Contact(1), Contact(2, subscribed: true), Contact(3, ContactAction.Unsubscribe, subscribed: true)];

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Empty(_client.Imports);
        Assert.Equal(3, _client.Syncs.Count);
        Assert.Equal([("7", "id-p1@example.com", 1), ("7", "id-p3@example.com", 2)], _client.ListStatuses);
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
    }

    [Fact]
    public async Task Resubscribe_AlwaysGoesThroughContactLists()
    {
        var contacts = Enumerable.Range(0, 30).Select(i => Contact(i)).Append(Contact(99, ContactAction.Resubscribe)).ToList();

        await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal(30, Assert.Single(_client.Imports).Count);
        Assert.Equal([("7", "id-p99@example.com", 1)], _client.ListStatuses);
    }

    [Fact]
    public async Task TinyBatch_AttachesTheExportsTags_LookingEachUpOnce()
    {
        OutgoingContact[] contacts = [Contact(1), Contact(2), Contact(3, ContactAction.Unsubscribe, subscribed: true)];
        var sender = NewSender();

        await sender.SendAsync(Account, Export, contacts, CancellationToken.None);
        await sender.SendAsync(Account, Export, [Contact(4, ContactAction.Resubscribe)], CancellationToken.None);

        Assert.Equal("t1", Assert.Single(_client.TagIds).Value);
        Assert.Equal([("id-p1@example.com", "t1"), ("id-p2@example.com", "t1"), ("id-p4@example.com", "t1")], _client.ContactTags);
    }

    [Fact]
    public async Task BadRequestNamingNoContact_SplitsTheBatch_UntilContactSyncNamesTheContactAtFault()
    {
        var contacts = Enumerable.Range(0, 250).Select(i => Contact(i)).ToList();
        // Every import that holds p77 is refused without a name; contact/sync says what is wrong with p77.
        _client.ImportAnswer = batch => batch.Any(c => c.Email == "p77@example.com") ? new BulkImportResult.Refused("Invalid data") : null;
        _client.SyncAnswer = c => c.Email == "p77@example.com" ? new SyncResult(null, "Field value is not valid") : null;

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        var failed = Assert.Single(outcomes, o => o.Kind == OutcomeKind.Failed);
        Assert.Equal("p77", failed.ProfileId);
        Assert.Contains("Field value is not valid", failed.Reason);
        Assert.Equal(249, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
        Assert.Equal(250, outcomes.Select(o => o.ProfileId).Distinct().Count());
        Assert.InRange(_client.Imports.Count, 2, 12);
        Assert.InRange(_client.Syncs.Count, 1, 19);
    }

    [Fact]
    public async Task InvalidNamingIndexesOutsideTheBatch_IsNoVerdict_AndSplitsToo()
    {
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i)).ToList();
        _client.NextImportResults.Enqueue(new BulkImportResult.Invalid([new ContactFailure(20, "bad email")]));

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Equal(20, outcomes.Count);
    }

    [Fact]
    public async Task ErasedContactsWithOnEraseDelete_AreDeletedOneByOne_NeverImported_AndAContactAlreadyGoneCountsAsDone()
    {
        var contacts = Enumerable.Range(0, 30).Select(i => Contact(i)).ToList();
        contacts.Add(Contact(30, ContactAction.Delete));
        contacts.Add(Contact(31, ContactAction.Delete) with { Data = new ContactData("gone@example.com", null, null, null, []) });

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal(["p30@example.com", "gone@example.com"], _client.Deletes);
        Assert.DoesNotContain(_client.Imports.SelectMany(i => i), c => c.Email is "p30@example.com" or "gone@example.com");
        Assert.Empty(_client.Syncs);
        Assert.Equal(32, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Equal(ContactAction.Delete, outcomes.Single(o => o.ProfileId == "p31").Action);
    }

    [Theory]
    [InlineData(ContactAction.Upsert, ContactListStatus.Unsubscribed, false)]
    [InlineData(ContactAction.Resubscribe, ContactListStatus.Unsubscribed, false)]
    [InlineData(ContactAction.Resubscribe, ContactListStatus.Bounced, true)]
    [InlineData(ContactAction.Unsubscribe, ContactListStatus.Bounced, true)]
    public async Task ContactApi_ContactOptedOutOnTheList_IsNotWrittenAndComesBackOptedOut(ContactAction action, ContactListStatus status, bool throughApi)
    {
        _client.StatusesOnList["id-p1@example.com"] = new ListStatusLookup.OnList(status, throughApi, throughApi ? "0" : "4", null);

        var outcomes = await NewSender().SendAsync(Account, Export, [Contact(1, action)], CancellationToken.None);

        Assert.Equal(OutcomeKind.OptedOut, Assert.Single(outcomes).Kind);
        Assert.Empty(_client.ListStatuses);
        Assert.Equal(["id-p1@example.com"], _client.StatusReads);
    }

    [Fact]
    public async Task ContactApi_UnsubscribeTheExportMadeItself_IsUndoneByAResubscribe()
    {
        _client.StatusesOnList["id-p1@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, true, "0", null);

        var outcomes = await NewSender().SendAsync(Account, Export, [Contact(1, ContactAction.Resubscribe)], CancellationToken.None);

        Assert.Equal(OutcomeKind.Accepted, Assert.Single(outcomes).Kind);
        Assert.Equal([("7", "id-p1@example.com", 1)], _client.ListStatuses);
    }

    [Fact]
    public async Task ContactApi_ExistingSubscriberUpdate_ReadsNoStatus()
    {
        var outcomes = await NewSender().SendAsync(Account, Export, [Contact(1, subscribed: true)], CancellationToken.None);

        Assert.Equal(OutcomeKind.Accepted, Assert.Single(outcomes).Kind);
        Assert.Empty(_client.StatusReads);
    }

    [Fact]
    public async Task ImportAcceptedButNeverConfirmed_IsUnconfirmed_NotReturned()
    {
        _client.ImportNeverCompletes = true;
        var sender = NewSender(new ExportOptions { ImportInfoDelay = TimeSpan.FromMilliseconds(1), ImportInfoTimeout = TimeSpan.FromMilliseconds(20) });

        var outcomes = await sender.SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i))], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Unconfirmed, o.Kind));
    }

    [Fact]
    public async Task BatchFailingAfterSomeImportsWentOut_KeepsWhatImportInfoSaid_LeavesTheUnansweredUnconfirmed_AndTheUnsentReturned()
    {
        var limit = new ActiveCampaignOptions().Limits.MaxContactsPerImport;
        var contacts = Enumerable.Range(0, 3 * limit).Select(i => Contact(i)).ToList();
        _client.ImportAnswer = batch => _client.Imports.Count == 2 ? throw new HttpRequestException("connection reset") : null;
        var tally = new ImportTally();

        await Assert.ThrowsAsync<HttpRequestException>(() => NewSender().SendAsync(Account, Export, contacts, CancellationToken.None, tally));

        var confirmed = _client.Imports[0].Select(c => c.Email).ToHashSet();
        var wentOut = _client.Imports.SelectMany(batch => batch).Select(c => c.Email).ToHashSet();
        Assert.All(contacts, c => Assert.Equal(
            confirmed.Contains(c.Data.Email) ? OutcomeKind.Accepted : wentOut.Contains(c.Data.Email) ? OutcomeKind.Unconfirmed : OutcomeKind.Returned,
            tally.Unanswered(c).Kind));
        Assert.Contains(contacts, c => !wentOut.Contains(c.Data.Email));
        Assert.Contains(contacts, c => wentOut.Contains(c.Data.Email) && !confirmed.Contains(c.Data.Email));
    }

    private static AcceptedImports NewImports(MemoryJournal journal, ExportState state) =>
        new("exp-1", journal, () => state, () => Task.CompletedTask, () => Task.FromResult(0L), () => 100_000, NullLogger.Instance);

    private static List<ContactOutcome> Delivered(JournalContents journal) =>
        [.. journal.Deliveries.Values.SelectMany(d => journal.OutcomesOf(d, importFailureRetries: 3))];

    /// <summary>What <see cref="OutcomeHandover.HandAsync"/> does with the journal: numbers the delivery and journals it before handing it.</summary>
    private static Task JournalAsync(AcceptedImports imports, DeliveredOutcomes delivery, int contacts) =>
        imports.DeliveredAsync(delivery with { Sequence = imports.NextSequence() }, contacts);

    [Fact]
    public async Task AnAcceptedImport_IsJournaledBeforeImportInfoIsAsked_AndStaysOutstandingUntilItsDeliveryIsJournaled()
    {
        var journal = new MemoryJournal();
        var imports = NewImports(journal, new ExportState());
        var journaledWhenAsked = new List<int>();
        _client.InfoAsked = () => journaledWhenAsked.Add(journal.Blobs.Values.Sum(entries => entries.Count));
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i) with { ImportFailures = i % 2 }).ToList();
        var tally = new ImportTally { Journal = imports };

        await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None, tally);

        Assert.NotEmpty(journaledWhenAsked);
        Assert.All(journaledWhenAsked, entries => Assert.Equal(1, entries));
        var import = Assert.Single(imports.Outstanding);
        Assert.Equal([import.BatchId], tally.Accepted.Select(i => i.BatchId));
        Assert.Equal(contacts.Select(c => new ImportedContact(c.ProfileId, c.Action, c.Hash, null, c.ImportFailures, ImportedContact.EmailKey(c.Data.Email))), import.Contacts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Recovery_HandsTheOutcomesImportInfoGives_OrUnconfirmedWithoutAKey_AndLeavesNothingOutstanding(bool keyKnown)
    {
        var journal = new MemoryJournal();
        var state = new ExportState();
        AcceptedImports Imports() => NewImports(journal, state);
        var before = Imports();
        await before.RecoverAsync();
        var contacts = Enumerable.Range(0, 6).Select(i => Contact(i)).ToList();
        await before.AcceptedAsync(AcceptedImport.Of("b1", contacts[..3]));
        await before.AcceptedAsync(AcceptedImport.Of("b2", contacts[3..]));
        await before.AcceptedAsync(AcceptedImport.Of("b3", [Contact(9)]));
        await JournalAsync(before, new DeliveredOutcomes([new CompletedImport("b3", [])], []), 1);
        _client.FailedEmails.Add("p4@example.com");
        var handed = new List<ContactOutcome>();
        var after = Imports();
        var confirmation = new ImportConfirmation(_client, new ExportOptions { ImportInfoDelay = TimeSpan.FromMilliseconds(1) }, new ActiveCampaignOptions().Limits,
            TimeProvider.System, NullLogger.Instance);
        var recovery = new ImportRecovery("exp-1", confirmation, () => Task.FromResult(keyKnown ? Account : null), async (delivery, imports, outcomes) =>
        {
            await JournalAsync(after, delivery, outcomes.Count);
            lock (handed)
            {
                handed.AddRange(outcomes);
            }

            return true;
        }, NullLogger.Instance);

        var recovered = await after.RecoverAsync();
        Assert.Equal(["p9"], Delivered(recovered).Select(o => o.ProfileId));
        await recovery.RecoverAsync(recovered.Outstanding);

        var expected = keyKnown
            ? new[] { OutcomeKind.Accepted, OutcomeKind.Accepted, OutcomeKind.Accepted, OutcomeKind.Accepted, OutcomeKind.FailedInImport, OutcomeKind.Accepted }
            : Enumerable.Repeat(OutcomeKind.Unconfirmed, 6).ToArray();
        Assert.Equal(contacts.Select((c, i) => (c.ProfileId, c.Hash, expected[i])), handed.OrderBy(o => o.ProfileId).Select(o => (o.ProfileId, o.Hash, o.Kind)));
        Assert.Equal(keyKnown ? 4 : 0, _client.InfoCalls);
        var again = await Imports().RecoverAsync();
        Assert.Empty(again.Outstanding);
        Assert.Equal(handed.Select(o => (o.ProfileId, o.Kind)).Append(("p9", OutcomeKind.Accepted)).Order(), Delivered(again).Select(o => (o.ProfileId, o.Kind)).Order());
        Assert.Equal(3, again.Deliveries.Count);
    }

    [Fact]
    public async Task BulkUnsubscribes_OfABouncedContactAndOfOneUnsubscribedBySomeoneElse_AreNotSent_TheirMembersAreOptedOut()
    {
        var now = DateTimeOffset.UtcNow;
        _client.OnList.Add(("P3@example.com", ContactListStatus.Bounced, now));
        _client.OnList.Add(("p5@example.com", ContactListStatus.Unsubscribed, now));
        _client.OnList.Add(("p7@example.com", ContactListStatus.Unsubscribed, now)); // the export unsubscribed p7 itself before
        _client.StatusesOnList["id-p7@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, true, "0", null);
        _client.OnList.Add(("p9@example.com", ContactListStatus.Bounced, now - TimeSpan.FromDays(3))); // older than the look-back
        _client.OnList.AddRange(Enumerable.Range(100, 250).Select(i => ($"other{i}@example.com", ContactListStatus.Unsubscribed, now)));
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: i != 7)).ToList();

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        var import = Assert.Single(_client.Imports);
        Assert.Equal(18, import.Count);
        Assert.DoesNotContain(import, c => c.Email is "p3@example.com" or "p5@example.com");
        Assert.Equal(["p3", "p5"], outcomes.Where(o => o.Kind == OutcomeKind.OptedOut).Select(o => o.ProfileId).Order());
        Assert.Equal(18, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
        // Status 3, then status 2 page by page (3 pages of 100), both from the look-back on.
        Assert.Equal([(ContactListStatus.Bounced, 0), (ContactListStatus.Unsubscribed, 0), (ContactListStatus.Unsubscribed, 100), (ContactListStatus.Unsubscribed, 200)],
            _client.PageReads.Select(r => (r.Status!.Value, r.Offset)));
        var from = Assert.Single(_client.PageReads.Select(r => r.UpdatedAfter).Distinct())!.Value;
        Assert.InRange(from, now - TimeSpan.FromHours(24) - OptOutSweep.Overlap - TimeSpan.FromMinutes(1), now - TimeSpan.FromHours(24) - OptOutSweep.Overlap + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task BatchWithoutUnsubscribes_MakesNoSweep()
    {
        _client.OnList.Add(("p3@example.com", ContactListStatus.Bounced, DateTimeOffset.UtcNow));

        var outcomes = await NewSender().SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i))], CancellationToken.None);

        Assert.Empty(_client.PageReads);
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
    }

    [Fact]
    public async Task NextSweep_ReadsWhatChangedSinceTheOneBefore_AndABounceTheFirstFoundStillHoldsWhenItsMemberLeavesLater()
    {
        _client.OnList.Add(("p30@example.com", ContactListStatus.Bounced, DateTimeOffset.UtcNow));
        var sender = NewSender();
        var before = DateTimeOffset.UtcNow;

        await sender.SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);
        var outcomes = await sender.SendAsync(Account, Export, [.. Enumerable.Range(20, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);

        Assert.Equal(OutcomeKind.OptedOut, Assert.Single(outcomes, o => o.ProfileId == "p30").Kind);
        Assert.DoesNotContain(_client.Imports[1], c => c.Email == "p30@example.com");
        var second = _client.PageReads.Skip(2).Select(r => r.UpdatedAfter!.Value).Distinct().Single();
        Assert.InRange(second, before - OptOutSweep.Overlap, DateTimeOffset.UtcNow - OptOutSweep.Overlap);
    }

    [Fact]
    public async Task BatchesSentTogether_ShareOneSweep()
    {
        _client.OnList.Add(("p3@example.com", ContactListStatus.Bounced, DateTimeOffset.UtcNow));
        _client.OnList.Add(("p23@example.com", ContactListStatus.Bounced, DateTimeOffset.UtcNow));
        _client.PagesWait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = NewSender();

        var first = sender.SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);
        var second = sender.SendAsync(Account, Export, [.. Enumerable.Range(20, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);
        await Task.Delay(50);
        _client.PagesWait.SetResult();
        var outcomes = (await Task.WhenAll(first, second)).SelectMany(o => o).ToList();

        Assert.Equal(2, _client.PageReads.Count);
        Assert.Equal(["p23", "p3"], outcomes.Where(o => o.Kind == OutcomeKind.OptedOut).Select(o => o.ProfileId).Order());
    }

    [Fact]
    public async Task ResubscribeByTheExport_ForgetsTheUnsubscribeASweepFound()
    {
        // The export's own unsubscribe of p1, found by a sweep; then p1 re-joins and is re-subscribed through the contact API.
        _client.OnList.Add(("p1@example.com", ContactListStatus.Unsubscribed, DateTimeOffset.UtcNow));
        _client.StatusesOnList["id-p1@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, true, "0", null);
        var sender = NewSender();
        await sender.SendAsync(Account, Export, [.. Enumerable.Range(2, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);
        await sender.SendAsync(Account, Export, [Contact(1, ContactAction.Resubscribe)], CancellationToken.None);
        _client.OnList.Clear();

        var outcomes = await sender.SendAsync(Account, Export, [.. Enumerable.Range(1, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Contains(_client.Imports[^1], c => c.Email == "p1@example.com");
    }

    [Fact]
    public async Task Recovery_WhenAShardDoesNotTakeTheOutcomes_Fails_AndTheNextActivationHandsThemAgainWithoutAskingAgain()
    {
        var journal = new MemoryJournal();
        var state = new ExportState();
        AcceptedImports Imports() => NewImports(journal, state);
        var before = Imports();
        await before.RecoverAsync();
        await before.AcceptedAsync(AcceptedImport.Of("b1", [Contact(1), Contact(2)]));
        var after = Imports();
        var confirmation = new ImportConfirmation(_client, new ExportOptions { ImportInfoDelay = TimeSpan.FromMilliseconds(1) }, new ActiveCampaignOptions().Limits,
            TimeProvider.System, NullLogger.Instance);
        var recovery = new ImportRecovery("exp-1", confirmation, () => Task.FromResult<ActiveCampaignAccount?>(Account), async (delivery, _, outcomes) =>
        {
            await JournalAsync(after, delivery, outcomes.Count);
            return false;
        }, NullLogger.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await recovery.RecoverAsync((await after.RecoverAsync()).Outstanding));

        var next = await Imports().RecoverAsync();
        Assert.Empty(next.Outstanding);
        Assert.Equal([("p1", OutcomeKind.Accepted), ("p2", OutcomeKind.Accepted)], Delivered(next).Select(o => (o.ProfileId, o.Kind)));
    }

    [Fact]
    public async Task AnUnsubscribeSentAgainAfterItsOutcomeNeverCame_FindsItsOwnStatus2_AndIsSentNotOptedOut()
    {
        // The first send applied the unsubscribe, but its outcome was lost: the member was still subscribed when it went out again.
        _client.OnList.Add(("p4@example.com", ContactListStatus.Unsubscribed, DateTimeOffset.UtcNow));
        _client.StatusesOnList["id-p4@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, true, "0", null);

        var outcomes = await NewSender().SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Contains(Assert.Single(_client.Imports), c => c.Email == "p4@example.com");
        Assert.Equal(["id-p4@example.com"], _client.StatusReads);
    }

    [Fact]
    public async Task WhatAnEarlierSweepFound_IsReadAgain_APersonWhoSubscribedAgainIsUnsubscribedWhenTheyLeave()
    {
        _client.OnList.Add(("p5@example.com", ContactListStatus.Unsubscribed, DateTimeOffset.UtcNow));
        var sender = NewSender();
        await sender.SendAsync(Account, Export, [.. Enumerable.Range(20, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);
        // The person subscribed again through a form; no webhook told the export.
        _client.StatusesOnList["id-p5@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Active, false, "4", null);

        var outcomes = await sender.SendAsync(Account, Export, [.. Enumerable.Range(0, 20).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))], CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Contains(_client.Imports[^1], c => c.Email == "p5@example.com");
    }

    [Fact]
    public async Task ASweepThatCannotReadTheList_SendsTheUnsubscribesThroughTheContactApi_WhichReadsEachStatusFirst()
    {
        _client.PagesFail = true;
        _client.StatusesOnList["id-p3@example.com"] = new ListStatusLookup.OnList(ContactListStatus.Bounced, false, "0", null);
        var contacts = Enumerable.Range(0, 12).Select(i => Contact(i, ContactAction.Unsubscribe, subscribed: true))
            .Concat(Enumerable.Range(12, 12).Select(i => Contact(i))).ToList();

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.DoesNotContain(_client.Imports.SelectMany(i => i), c => c.UnsubscribeListId is not null);
        Assert.Equal(12, Assert.Single(_client.Imports).Count);
        Assert.Equal(12, _client.Syncs.Count);
        Assert.Equal(OutcomeKind.OptedOut, Assert.Single(outcomes, o => o.ProfileId == "p3").Kind);
        Assert.Equal(23, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
    }

    /// <summary>Answers like ActiveCampaign would, and records what it was asked.</summary>
    private sealed class ScriptedClient : IActiveCampaignClient
    {
        public List<IReadOnlyList<BulkContact>> Imports { get; } = [];
        public Queue<BulkImportResult> NextImportResults { get; } = new();
        public HashSet<string> FailedEmails { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<SyncContact> Syncs { get; } = [];
        public List<(string List, string Contact, int Status)> ListStatuses { get; } = [];
        public int InfoCalls { get; private set; }
        public Dictionary<string, string> TagIds { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<(string Contact, string Tag)> ContactTags { get; } = [];
        public Func<SyncContact, SyncResult?>? SyncAnswer { get; set; }
        public Func<IReadOnlyList<BulkContact>, BulkImportResult?>? ImportAnswer { get; set; }
        public bool ImportNeverCompletes { get; set; }
        public Action? InfoAsked { get; set; }

        public Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> ListExistsAsync(ActiveCampaignAccount account, string listId, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken, bool excludeAutomations = false)
        {
            Imports.Add(contacts);
            return Task.FromResult(NextImportResults.TryDequeue(out var result) ? result
                : ImportAnswer?.Invoke(contacts) ?? new BulkImportResult.Queued($"batch-{Imports.Count}", contacts.Count));
        }

        public Task<ImportInfo> GetImportInfoAsync(ActiveCampaignAccount account, string batchId, CancellationToken cancellationToken)
        {
            InfoCalls++;
            InfoAsked?.Invoke();
            return Task.FromResult(InfoCalls % 2 == 1 || ImportNeverCompletes
                ? new ImportInfo("processing", [], [])
                : new ImportInfo("completed", [], [.. FailedEmails]));
        }

        public Task<SyncResult> SyncContactAsync(ActiveCampaignAccount account, SyncContact contact, CancellationToken cancellationToken)
        {
            Syncs.Add(contact);
            return Task.FromResult(SyncAnswer?.Invoke(contact) ?? new SyncResult("id-" + contact.Email, null));
        }

        public Task<IReadOnlyList<AccountList>> GetListsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AccountList>>([]);

        public Task<IReadOnlyList<AccountField>> GetFieldsAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AccountField>>([]);

        public Task<IReadOnlyList<AccountTag>> GetTagsAsync(ActiveCampaignAccount account, string? search, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AccountTag>>([.. TagIds.Where(t => search is null || t.Key.Contains(search, StringComparison.OrdinalIgnoreCase)).Select(t => new AccountTag(t.Value, t.Key))]);

        public Task<string?> CreateTagAsync(ActiveCampaignAccount account, string tag, CancellationToken cancellationToken)
        {
            var id = $"t{TagIds.Count + 1}";
            return Task.FromResult(TagIds.TryAdd(tag, id) ? id : null);
        }

        public Task AddContactTagAsync(ActiveCampaignAccount account, string contactId, string tagId, CancellationToken cancellationToken)
        {
            ContactTags.Add((contactId, tagId));
            return Task.CompletedTask;
        }

        public Task SetListStatusAsync(ActiveCampaignAccount account, string listId, string contactId, int status, CancellationToken cancellationToken)
        {
            ListStatuses.Add((listId, contactId, status));
            return Task.CompletedTask;
        }

        public List<string> Deletes { get; } = [];

        public Task<bool> DeleteContactAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken)
        {
            Deletes.Add(email);
            return Task.FromResult(email != "gone@example.com");
        }

        // Calls the batch sender does not make: a test that reaches one fails loudly.
        /// <summary>Every contact is found, with the id its contact/sync answer gives (<c>id-</c> and its email).</summary>
        public Task<string?> FindContactIdAsync(ActiveCampaignAccount account, string email, CancellationToken cancellationToken) =>
            Task.FromResult<string?>("id-" + email);

        /// <summary>The read of list pages fails (a 5xx, a page without its contacts).</summary>
        public bool PagesFail { get; set; }

        /// <summary>Each contact's status on the list, read before a contactLists call; a contact not named is not on the list.</summary>
        public Dictionary<string, ListStatusLookup> StatusesOnList { get; } = [];

        public List<string> StatusReads { get; } = [];

        public Task<ListStatusLookup> GetListStatusAsync(ActiveCampaignAccount account, string contactId, string listId, CancellationToken cancellationToken)
        {
            StatusReads.Add(contactId);
            // Not named: as the list's pages have it, set by someone else's hand; else not on the list.
            var listed = OnList.Where(c => "id-" + c.Email.ToLowerInvariant() == contactId.ToLowerInvariant()).ToList();
            return Task.FromResult(StatusesOnList.GetValueOrDefault(contactId)
                ?? (listed.Count > 0 ? new ListStatusLookup.OnList(listed[^1].Status, false, "4", null) : new ListStatusLookup.NotOnList()));
        }

        /// <summary>The list's contacts at each status, with when they were last updated.</summary>
        public List<(string Email, ContactListStatus Status, DateTimeOffset UpdatedAt)> OnList { get; } = [];

        public List<(ContactListStatus? Status, int Offset, DateTimeOffset? UpdatedAfter)> PageReads { get; } = [];

        /// <summary>When set, a page is answered only once it completes.</summary>
        public TaskCompletionSource? PagesWait { get; set; }

        public async Task<ListContactsPage> GetListContactsPageAsync(ActiveCampaignAccount account, string listId, ContactListStatus? status, int offset, CancellationToken cancellationToken,
            DateTimeOffset? updatedAfter = null)
        {
            lock (PageReads)
            {
                PageReads.Add((status, offset, updatedAfter));
            }

            if (PagesWait is { } wait)
            {
                await wait.Task;
            }

            if (PagesFail)
            {
                throw new ActiveCampaignException("ActiveCampaign account acme.api-us1.com answered 500 Internal Server Error to a page of list 1's contacts.", 500);
            }

            var matching = OnList.Where(c => (status is null || c.Status == status) && (updatedAfter is null || c.UpdatedAt > updatedAfter))
                .Select((c, i) => new ListedContact($"{i + 1}", c.Email)).ToList();
            return new ListContactsPage([.. matching.Skip(offset).Take(ListContactsPage.PageSize)], matching.Count, offset);
        }

        public Task<string> CreateWebhookAsync(ActiveCampaignAccount account, WebhookRegistration webhook, CancellationToken cancellationToken) =>
            throw new NotSupportedException(nameof(CreateWebhookAsync));

        public Task<bool> DeleteWebhookAsync(ActiveCampaignAccount account, string webhookId, CancellationToken cancellationToken) =>
            throw new NotSupportedException(nameof(DeleteWebhookAsync));

        public Task<IReadOnlyList<AccountWebhook>> GetWebhooksAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) =>
            throw new NotSupportedException(nameof(GetWebhooksAsync));
    }
}
