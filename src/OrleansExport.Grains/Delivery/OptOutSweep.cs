using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// The opt-out sweep before a bulk import that unsubscribes. Bulk import cannot read a contact's list status before
/// writing 2, and writing it over a bounce (3) or a person's unsubscribe would make the status look like OrleansExport's
/// own, which a re-join then undoes. So the list's contacts at status 3 and 2 changed since the export's previous sweep
/// are read first (<c>updated_after=</c>, paged 100 at a time); an unsubscribe of a contact found there has its status
/// read afresh, and is not sent when that status is a bounce or someone else's unsubscribe: its member is opted out.
/// No Orleans here.
/// </summary>
/// <remarks>
/// What a sweep finds is kept in memory per export, so a bounce found by one sweep still counts when its member leaves
/// later. Batches sent while a sweep runs share it. The first sweep of an export after a start reads
/// <see cref="ExportOptions.OptOutSweepLookBack"/> back; older opt-outs are for reconciliations and webhooks to find.
/// A bounce between the sweep and ActiveCampaign applying the import (seconds) is not seen.
/// </remarks>
public sealed partial class OptOutSweep(
    IActiveCampaignClient client,
    IOptions<ExportOptions> exportOptions,
    IOptions<ActiveCampaignOptions> activeCampaignOptions,
    TimeProvider time,
    ILogger<OptOutSweep> logger)
{
    /// <summary>Read again before the previous sweep began: covers ActiveCampaign's whole-second times and clock skew.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    /// <summary>Emails remembered per export; past it they are forgotten, and reconciliations remain.</summary>
    public const int MaxRemembered = 200_000;

    private static readonly ContactListStatus[] StatusesRead = [ContactListStatus.Bounced, ContactListStatus.Unsubscribed];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ExportSweep> _exports = new(StringComparer.Ordinal);

    /// <summary>
    /// Splits <paramref name="contacts"/> for a bulk import that unsubscribes. An unsubscribe whose contact the sweep found
    /// bounced or unsubscribed is a candidate: its status on the list is read afresh (the sweep's memory may be out of
    /// date, and a 2 may be OrleansExport's own, from an earlier send whose outcome never came), and one bounced, or
    /// unsubscribed by someone else's hand, gets an <see cref="OutcomeKind.OptedOut"/> outcome instead of being sent.
    /// When the sweep cannot read the list, the unsubscribes go through the contact API instead (<paramref name="oneByOne"/>),
    /// which reads each contact's status before writing 2. No request at all when there is no unsubscribe.
    /// </summary>
    /// <returns>The contacts to send in bulk.</returns>
    public async Task<List<OutgoingContact>> WithholdOptedOutAsync(ActiveCampaignAccount account, ExportDefinition export, List<OutgoingContact> contacts,
        List<ContactOutcome> outcomes, List<OutgoingContact> oneByOne, CancellationToken cancellationToken)
    {
        if (!contacts.Exists(c => c.Action == ContactAction.Unsubscribe))
        {
            return contacts;
        }

        ExportSweep sweep;
        try
        {
            sweep = await SweepAsync(account, export, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSweepFailed(export.Id, exception.GetType().Name, exception.Message);
            oneByOne.AddRange(contacts.Where(c => c.Action == ContactAction.Unsubscribe));
            return contacts.FindAll(c => c.Action != ContactAction.Unsubscribe);
        }

        List<OutgoingContact> candidates;
        lock (_gate)
        {
            candidates = contacts.FindAll(c => c.Action == ContactAction.Unsubscribe && sweep.Found.Contains(c.Data.Email));
        }

        var send = contacts.Except(candidates).ToList();
        foreach (var contact in candidates)
        {
            var contactId = await client.FindContactIdAsync(account, contact.Data.Email, cancellationToken);
            var status = contactId is null ? null : await client.GetListStatusAsync(account, contactId, export.ListId, cancellationToken);
            if (status is not null && OptOutRules.IsOptedOut(status))
            {
                LogOptedOut(export.Id, contact.ProfileId);
                outcomes.Add(new ContactOutcome(contact.ProfileId, contact.Action, contact.Hash, OutcomeKind.OptedOut, null, ContactId: contactId));
            }
            else
            {
                send.Add(contact);
            }
        }

        return send;
    }

    /// <summary>OrleansExport set the contact to status 1 itself: what a sweep found about it is out of date.</summary>
    public void Forget(ExportDefinition export, string email)
    {
        lock (_gate)
        {
            if (_exports.TryGetValue(export.Id, out var sweep) && sweep.ListId == export.ListId)
            {
                sweep.Found.Remove(email);
            }
        }
    }

    private async Task<ExportSweep> SweepAsync(ActiveCampaignAccount account, ExportDefinition export, CancellationToken cancellationToken)
    {
        ExportSweep sweep;
        Task running;
        lock (_gate)
        {
            if (!_exports.TryGetValue(export.Id, out sweep!) || sweep.ListId != export.ListId)
            {
                // Opt-outs are per list: a new list starts over.
                sweep = new ExportSweep(export.ListId, time.GetUtcNow() - exportOptions.Value.OptOutSweepLookBack / activeCampaignOptions.Value.Limits.TimeScale);
                _exports[export.Id] = sweep;
            }

            running = sweep.Running ??= ReadAsync(account, export, sweep, cancellationToken);
        }

        await running;
        return sweep;
    }

    private async Task ReadAsync(ActiveCampaignAccount account, ExportDefinition export, ExportSweep sweep, CancellationToken cancellationToken)
    {
        await Task.Yield(); // started under the lock: the requests go out after it is released
        try
        {
            var startedAt = time.GetUtcNow();
            var updatedAfter = sweep.Since - Overlap;
            var found = new List<string>();
            foreach (var status in StatusesRead)
            {
                int? offset = 0;
                while (offset is { } at)
                {
                    var page = await client.GetListContactsPageAsync(account, export.ListId, status, at, cancellationToken, updatedAfter);
                    found.AddRange(page.Contacts.Select(c => c.Email));
                    offset = page.NextOffset;
                    if (found.Count > MaxRemembered)
                    {
                        // Read again by the next sweep (Since stays); meanwhile the contact API reads each status itself.
                        throw new InvalidOperationException($"More than {MaxRemembered} contacts of list {export.ListId} were bounced or unsubscribed since {updatedAfter:O}.");
                    }
                }
            }

            lock (_gate)
            {
                if (sweep.Found.Count + found.Count > MaxRemembered)
                {
                    sweep.Found.Clear();
                }

                sweep.Found.UnionWith(found);

                sweep.Since = startedAt;
            }

            LogSwept(export.Id, found.Count, updatedAfter);
        }
        finally
        {
            lock (_gate)
            {
                sweep.Running = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId}: profile {ProfileId}'s contact is bounced or unsubscribed on the list by someone else's hand: its unsubscribe is not sent, it is opted out")]
    private partial void LogOptedOut(string exportId, string profileId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export {ExportId}: the opt-out sweep could not read the list ({Error}: {Message}); this round's unsubscribes go through the contact API, which reads each status first")]
    private partial void LogSweepFailed(string exportId, string error, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Export {ExportId}: opt-out sweep found {Count} contacts bounced or unsubscribed since {UpdatedAfter}")]
    private partial void LogSwept(string exportId, int count, DateTimeOffset updatedAfter);

    private sealed class ExportSweep(string listId, DateTimeOffset since)
    {
        public string ListId { get; } = listId;

        /// <summary>Where the next sweep reads from: when the previous one began.</summary>
        public DateTimeOffset Since { get; set; } = since;

        /// <summary>Emails found bounced or unsubscribed: candidates, whose status is read again before it counts.</summary>
        public HashSet<string> Found { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task? Running { get; set; }
    }
}
