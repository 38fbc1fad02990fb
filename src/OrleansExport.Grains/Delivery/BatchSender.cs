using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Sends one batch of leased contacts to ActiveCampaign and reports each contact's outcome:
/// bulk import for real batches (then import/info), contact/sync + contactLists for tiny batches
/// and for re-subscribes (bulk import cannot re-subscribe). No Orleans here.
/// </summary>
public sealed class BatchSender(
    IActiveCampaignClient client,
    IOptions<ExportOptions> exportOptions,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    TimeProvider time,
    ILogger<BatchSender> logger)
{
    /// <summary>How often a batch whose contacts ActiveCampaign names as invalid is resent without them.</summary>
    private const int MaxInvalidResends = 3;

    private ActiveCampaignLimits Limits => activeCampaignOptions.Value.Limits;

    public async Task<List<ContactOutcome>> SendAsync(ActiveCampaignAccount account, ExportDefinition export, IReadOnlyList<OutgoingContact> contacts, CancellationToken cancellationToken)
    {
        var outcomes = new List<ContactOutcome>(contacts.Count);
        var viaContactApi = contacts.Where(c => c.Action == ContactAction.Resubscribe).ToList();
        var viaBulk = contacts.Where(c => c.Action != ContactAction.Resubscribe).ToList();
        if (viaBulk.Count < exportOptions.Value.MinBulkImportContacts)
        {
            viaContactApi.AddRange(viaBulk);
            viaBulk.Clear();
        }

        if (viaBulk.Count > 0)
        {
            await SendBulkAsync(account, export, viaBulk, outcomes, cancellationToken);
        }

        foreach (var contact in viaContactApi)
        {
            outcomes.Add(await SendThroughContactApiAsync(account, export, contact, cancellationToken));
        }

        return outcomes;
    }

    private async Task SendBulkAsync(ActiveCampaignAccount account, ExportDefinition export, List<OutgoingContact> contacts, List<ContactOutcome> outcomes, CancellationToken cancellationToken)
    {
        var byWire = new Dictionary<BulkContact, OutgoingContact>(ReferenceEqualityComparer.Instance);
        foreach (var contact in contacts)
        {
            byWire[ContactWire.ToBulkContact(contact, export)] = contact;
        }

        var packed = new ImportPacker(Limits).Pack(byWire.Keys);
        foreach (var unsendable in packed.Unsendable)
        {
            outcomes.Add(Failed(byWire[unsendable.Contact], unsendable.Reason));
        }

        foreach (var batch in packed.Batches)
        {
            await SendOneImportAsync(account, batch.Contacts.Select(c => byWire[c]).ToList(), export, outcomes, cancellationToken);
        }
    }

    private async Task SendOneImportAsync(ActiveCampaignAccount account, List<OutgoingContact> batch, ExportDefinition export, List<ContactOutcome> outcomes, CancellationToken cancellationToken)
    {
        for (var attempt = 0; batch.Count > 0; attempt++)
        {
            var result = await client.BulkImportAsync(account, batch.Select(c => ContactWire.ToBulkContact(c, export)).ToList(), cancellationToken);
            switch (result)
            {
                case BulkImportResult.Queued queued:
                    ExportMetrics.RecordImportQueued(export.Id);
                    await ConfirmAsync(account, queued.BatchId, batch, outcomes, cancellationToken);
                    return;

                case BulkImportResult.Invalid invalid when attempt < MaxInvalidResends && invalid.Failures.Count > 0:
                    // All or nothing: quarantine the contacts it names, resend the rest.
                    var named = invalid.Failures.Where(f => f.Index >= 0 && f.Index < batch.Count).ToDictionary(f => f.Index, f => f.Reason);
                    if (named.Count == 0)
                    {
                        goto default;
                    }

                    foreach (var (index, reason) in named)
                    {
                        outcomes.Add(Failed(batch[index], $"ActiveCampaign refused the contact: {reason}"));
                    }

                    batch = batch.Where((_, i) => !named.ContainsKey(i)).ToList();
                    break;

                default:
                    foreach (var contact in batch)
                    {
                        outcomes.Add(Failed(contact, "ActiveCampaign refused the import and named no contact"));
                    }

                    return;
            }
        }
    }

    /// <summary>Asks import/info until ActiveCampaign has applied the import; contacts it lists as failed are rejected.</summary>
    private async Task ConfirmAsync(ActiveCampaignAccount account, string batchId, List<OutgoingContact> batch, List<ContactOutcome> outcomes, CancellationToken cancellationToken)
    {
        var delay = Scaled(exportOptions.Value.ImportInfoDelay);
        var maxDelay = Scaled(TimeSpan.FromMinutes(1));
        var deadline = time.GetUtcNow() + Scaled(exportOptions.Value.ImportInfoTimeout);
        while (true)
        {
            await Task.Delay(delay, time, cancellationToken);
            var info = await client.GetImportInfoAsync(account, batchId, cancellationToken);
            if (info.IsCompleted)
            {
                var failed = new HashSet<string>(info.FailedEmails, StringComparer.OrdinalIgnoreCase);
                foreach (var contact in batch)
                {
                    outcomes.Add(!failed.Contains(contact.Data.Email) ? Accepted(contact)
                        : contact.ImportFailures < exportOptions.Value.ImportFailureRetries ? FailedInImport(contact)
                        : Failed(contact, $"ActiveCampaign listed the contact as failed in import/info {contact.ImportFailures + 1} times in a row"));
                }

                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                logger.LogWarning("Import {BatchId} not confirmed in time; its {Count} contacts go back to pending", batchId, batch.Count);
                outcomes.AddRange(batch.Select(Returned));
                return;
            }

            delay = delay * 2 < maxDelay ? delay * 2 : maxDelay;
        }
    }

    private async Task<ContactOutcome> SendThroughContactApiAsync(ActiveCampaignAccount account, ExportDefinition export, OutgoingContact contact, CancellationToken cancellationToken)
    {
        var sync = await client.SyncContactAsync(account, ContactWire.ToSyncContact(contact, export), cancellationToken);
        if (!sync.Succeeded)
        {
            return Failed(contact, $"ActiveCampaign refused the contact: {sync.Error}");
        }

        int? status = contact.Action switch
        {
            ContactAction.Unsubscribe => 2,
            ContactAction.Resubscribe => 1,
            // An existing subscriber only gets its data updated: never re-subscribe someone who unsubscribed on their own.
            _ => contact.AlreadySubscribed ? null : 1,
        };
        if (status is { } listStatus)
        {
            await client.SetListStatusAsync(account, export.ListId, sync.ContactId!, listStatus, cancellationToken);
        }

        return Accepted(contact);
    }

    private TimeSpan Scaled(TimeSpan span) => span / Limits.TimeScale;

    private static ContactOutcome Accepted(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null);

    private static ContactOutcome Failed(OutgoingContact c, string reason) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Failed, reason);

    private static ContactOutcome FailedInImport(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.FailedInImport, null);

    public static ContactOutcome Returned(OutgoingContact c) => new(c.ProfileId, c.Action, c.Hash, OutcomeKind.Returned, null);
}
