using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Sends one batch of leased contacts to ActiveCampaign and reports each contact's outcome:
/// bulk import for real batches (then import/info), contact/sync + contactLists + contactTags for tiny
/// batches and for re-subscribes (bulk import cannot re-subscribe). No Orleans here.
/// </summary>
/// <remarks>
/// A contact is rejected (<see cref="OutcomeKind.Failed"/>) only on ActiveCampaign's verdict about that contact: a bulk
/// 400 naming its index, a 422 from contact/sync, or import/info listing it failed after the retries. Any other answer
/// throws, and the caller sends the whole batch back to pending.
/// </remarks>
public sealed partial class BatchSender(
    IActiveCampaignClient client,
    TagIdCache tagIds,
    OptOutSweep optOutSweep,
    IOptions<ExportOptions> exportOptions,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    TimeProvider time,
    ILogger<BatchSender> logger)
{
    private readonly ImportConfirmation _confirmation = new(client, exportOptions.Value, activeCampaignOptions.Value.Limits, time, logger);

    private ActiveCampaignLimits Limits => activeCampaignOptions.Value.Limits;

    /// <param name="tally">When given, counts the bulk-import requests made (the account's import budget counts them).</param>
    public async Task<List<ContactOutcome>> SendAsync(ActiveCampaignAccount account, ExportDefinition export, IReadOnlyList<OutgoingContact> contacts, CancellationToken cancellationToken,
        ImportTally? tally = null)
    {
        tally ??= new ImportTally();
        var outcomes = new List<ContactOutcome>(contacts.Count);
        var viaContactApi = contacts.Where(c => c.Action == ContactAction.Resubscribe).ToList();
        var viaBulk = contacts.Where(c => c.Action is not (ContactAction.Resubscribe or ContactAction.Delete)).ToList();
        if (viaBulk.Count < exportOptions.Value.MinBulkImportContacts)
        {
            viaContactApi.AddRange(viaBulk);
            viaBulk.Clear();
        }

        if (viaBulk.Count > 0)
        {
            await SendBulkAsync(account, export, viaBulk, outcomes, tally, cancellationToken);
        }

        foreach (var contact in viaContactApi)
        {
            outcomes.Add(await SendThroughContactApiAsync(account, export, contact, tally, cancellationToken));
        }

        foreach (var contact in contacts.Where(c => c.Action == ContactAction.Delete))
        {
            // Erased with onErase=delete: a contact the account no longer has is as good as deleted.
            await client.DeleteContactAsync(account, contact.Data.Email, cancellationToken);
            outcomes.Add(Accepted(contact));
        }

        return outcomes;
    }

    private async Task SendBulkAsync(ActiveCampaignAccount account, ExportDefinition export, List<OutgoingContact> contacts, List<ContactOutcome> outcomes, ImportTally tally, CancellationToken cancellationToken)
    {
        // Bulk import writes status 2 without reading the status first: a bounce or a person's unsubscribe is read beforehand.
        var oneByOne = new List<OutgoingContact>();
        contacts = await optOutSweep.WithholdOptedOutAsync(account, export, contacts, outcomes, oneByOne, cancellationToken);
        foreach (var contact in oneByOne)
        {
            outcomes.Add(await SendThroughContactApiAsync(account, export, contact, tally, cancellationToken));
        }

        var byWire = new Dictionary<BulkContact, OutgoingContact>(ReferenceEqualityComparer.Instance);
        foreach (var contact in contacts)
        {
            byWire[ContactWire.ToBulkContact(contact, export)] = contact;
        }

        var packed = new ImportPacker(Limits).Pack(byWire.Keys);
        foreach (var unsendable in packed.Unsendable)
        {
            outcomes.Add(Failed(byWire[unsendable.Contact], RejectionKind.TooLarge, unsendable.Reason));
        }

        foreach (var batch in packed.Batches)
        {
            await SendOneImportAsync(account, batch.Contacts.Select(c => byWire[c]).ToList(), export, outcomes, tally, cancellationToken);
        }
    }

    private async Task SendOneImportAsync(ActiveCampaignAccount account, List<OutgoingContact> batch, ExportDefinition export, List<ContactOutcome> outcomes, ImportTally tally, CancellationToken cancellationToken)
    {
        while (batch.Count > 0)
        {
            tally.Imports++;
            tally.WentOut(batch);
            var result = await client.BulkImportAsync(account, batch.Select(c => ContactWire.ToBulkContact(c, export)).ToList(), cancellationToken, export.ExcludeAutomations);
            switch (result)
            {
                case BulkImportResult.Queued queued:
                    ExportMetrics.RecordImportQueued(export.Id);
                    var accepted = AcceptedImport.Of(queued.BatchId, batch);
                    await tally.AcceptedAsync(accepted, batch);
                    var completed = await _confirmation.ConfirmAsync(account, accepted, cancellationToken);
                    outcomes.AddRange(tally.Completed(accepted, completed, exportOptions.Value.ImportFailureRetries));
                    return;

                case BulkImportResult.Invalid invalid when invalid.Failures.Any(f => f.Index >= 0 && f.Index < batch.Count):
                    // All or nothing: quarantine the contacts it names, resend the rest (each round removes one at least).
                    var named = invalid.Failures.Where(f => f.Index >= 0 && f.Index < batch.Count)
                        .GroupBy(f => f.Index).ToDictionary(g => g.Key, g => g.First().Reason);
                    foreach (var (index, reason) in named)
                    {
                        outcomes.Add(Failed(batch[index], RejectionKind.RefusedByActiveCampaign, $"ActiveCampaign refused the contact: {reason}"));
                    }

                    batch = batch.Where((_, i) => !named.ContainsKey(i)).ToList();
                    break;

                default:
                    var refusal = result is BulkImportResult.Refused refused ? refused.Reason : "it named contacts that are not in the import";
                    await SplitToFindTheContactAtFaultAsync(account, batch, export, refusal, outcomes, tally, cancellationToken);
                    return;
            }
        }
    }

    /// <summary>
    /// A 400 that names no contact is a verdict on none of them: the halves are imported on their own, down to pieces
    /// too small for bulk import, whose contacts go through contact/sync one by one, where a 422 is about that one contact.
    /// </summary>
    private async Task SplitToFindTheContactAtFaultAsync(ActiveCampaignAccount account, List<OutgoingContact> batch, ExportDefinition export, string reason, List<ContactOutcome> outcomes, ImportTally tally, CancellationToken cancellationToken)
    {
        LogSplitting(export.Id, batch.Count, reason);
        if (batch.Count < 2 * exportOptions.Value.MinBulkImportContacts)
        {
            foreach (var contact in batch)
            {
                outcomes.Add(await SendThroughContactApiAsync(account, export, contact, tally, cancellationToken));
            }

            return;
        }

        var half = batch.Count / 2;
        await SendOneImportAsync(account, batch[..half], export, outcomes, tally, cancellationToken);
        await SendOneImportAsync(account, batch[half..], export, outcomes, tally, cancellationToken);
    }

    private async Task<ContactOutcome> SendThroughContactApiAsync(ActiveCampaignAccount account, ExportDefinition export, OutgoingContact contact, ImportTally tally, CancellationToken cancellationToken)
    {
        tally.WentOut([contact]);
        var sync = await client.SyncContactAsync(account, ContactWire.ToSyncContact(contact, export), cancellationToken);
        if (!sync.Succeeded)
        {
            return Failed(contact, RejectionKind.RefusedByActiveCampaign, $"ActiveCampaign refused the contact: {sync.Error}");
        }

        int? status = contact.Action switch
        {
            ContactAction.Unsubscribe => 2,
            ContactAction.Resubscribe => 1,
            // An existing subscriber only gets its data updated: never re-subscribe someone who unsubscribed on their own.
            _ => contact.AlreadySubscribed ? null : 1,
        };
        if (status is { } change && await IsOptedOutAsync(account, export, contact, sync.ContactId!, change, cancellationToken))
        {
            return new ContactOutcome(contact.ProfileId, contact.Action, contact.Hash, OutcomeKind.OptedOut, null, ContactId: sync.ContactId);
        }

        if (status is { } listStatus)
        {
            await client.SetListStatusAsync(account, export.ListId, sync.ContactId!, listStatus, cancellationToken);
            if (listStatus == 1)
            {
                optOutSweep.Forget(export, contact.Data.Email);
            }
        }

        if (contact.Action != ContactAction.Unsubscribe)
        {
            await AddTagsAsync(account, sync.ContactId!, export.Mapping.Tags, cancellationToken);
        }

        return Accepted(contact) with { ContactId = sync.ContactId };
    }

    /// <summary>
    /// contactLists status 1 re-subscribes anyone, even a person who unsubscribed: the contact's status on the list is read
    /// first, and a status OrleansExport did not set itself is the person's choice (<see cref="OptOutRules.MaySubscribe"/>).
    /// Before status 2 too: writing it over a bounce or a person's unsubscribe would make it look like OrleansExport's own.
    /// </summary>
    private async Task<bool> IsOptedOutAsync(ActiveCampaignAccount account, ExportDefinition export, OutgoingContact contact, string contactId, int change, CancellationToken cancellationToken)
    {
        var status = await client.GetListStatusAsync(account, contactId, export.ListId, cancellationToken);
        var optedOut = change == 1
            ? !OptOutRules.MaySubscribe(status, unsubscribedByExport: contact.Action == ContactAction.Resubscribe)
            : OptOutRules.IsOptedOut(status);
        if (optedOut)
        {
            LogOptedOut(export.Id, contact.ProfileId);
        }

        return optedOut;
    }

    /// <summary>contact/sync takes no tags (bulk import does): each is attached with contactTags, its id looked up once.</summary>
    private async Task AddTagsAsync(ActiveCampaignAccount account, string contactId, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        foreach (var tag in tags)
        {
            var tagId = await tagIds.GetOrCreateAsync(account, tag, cancellationToken);
            try
            {
                await client.AddContactTagAsync(account, contactId, tagId, cancellationToken);
            }
            catch (ActiveCampaignException unknown) when (unknown.StatusCode == 404)
            {
                // The tag was deleted in ActiveCampaign since its id was cached: the batch is sent again and looks it up anew.
                tagIds.Forget(account, tag);
                throw;
            }
        }
    }

    private static ContactOutcome Accepted(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null);

    private static ContactOutcome Failed(OutgoingContact c, RejectionKind kind, string reason) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Failed, reason, kind);

    public static ContactOutcome Returned(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Returned, null);

    public static ContactOutcome Unconfirmed(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Unconfirmed, null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: profile {ProfileId} is unsubscribed from the list by the person (or bounced): it is opted out and not subscribed again")]
    private partial void LogOptedOut(string exportId, string profileId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: ActiveCampaign refused an import of {Count} contacts without naming one ({Reason}); sending it in halves to find the contact at fault")]
    private partial void LogSplitting(string exportId, int count, string reason);

}
