using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains;

/// <summary>
/// The export pipeline's instruments on the project's <c>OrleansExport</c> meter. Every one is tagged with
/// <see cref="ExportIdTag"/> (a cluster holds tens or hundreds of exports: low cardinality), never with a
/// profile id, an email, a host name or a key.
/// </summary>
public static class ExportMetrics
{
    public const string MeterName = ActiveCampaignMetrics.MeterName;
    public const string ExportIdTag = "export_id";
    public const string EventsReceivedInstrument = "orleansexport.events.received";
    public const string DuplicatesInstrument = "orleansexport.events.duplicates";
    public const string StaleInstrument = "orleansexport.events.stale";
    public const string RejectionsInstrument = "orleansexport.rejections";
    public const string ContactsSentInstrument = "orleansexport.contacts.sent";
    public const string ImportsInstrument = "orleansexport.imports";
    public const string PendingInstrument = "orleansexport.pending";
    public const string ErasuresInstrument = "orleansexport.erasures";

    /// <summary>How often an export refreshes its pending gauge when nobody asks for its status meanwhile.</summary>
    public static readonly TimeSpan PendingRefreshInterval = TimeSpan.FromSeconds(10);

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<string, long> PendingByExport = new(StringComparer.Ordinal);

    private static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>(
        EventsReceivedInstrument, "{event}", "Segment events the event stream delivered, per segment.");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        DuplicatesInstrument, "{event}", "Events dropped as a repeat of the event last applied to the profile (same eventId).");
    private static readonly Counter<long> Stale = Meter.CreateCounter<long>(
        StaleInstrument, "{event}", "Events dropped because a newer event of the profile was already applied.");
    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        RejectionsInstrument, "{contact}",
        "Rejection records: stage=event when the mapped email is missing or invalid or the profile is over a cap, stage=activecampaign when ActiveCampaign refused the contact.");
    private static readonly Counter<long> ContactsSent = Meter.CreateCounter<long>(
        ContactsSentInstrument, "{contact}", "Contacts ActiveCampaign accepted, per action (upsert, resubscribe, unsubscribe).");
    private static readonly Counter<long> Erasures = Meter.CreateCounter<long>(
        ErasuresInstrument, "{event}", "Erasure events applied (right to erasure), untagged: an erasure names no export, and never a profile.");
    private static readonly Counter<long> Imports = Meter.CreateCounter<long>(
        ImportsInstrument, "{import}", "Bulk imports ActiveCampaign queued.");

    static ExportMetrics()
    {
        Meter.CreateObservableGauge(PendingInstrument, ObservePending, "{contact}",
            "Members whose latest data ActiveCampaign has not accepted yet (the pending of GET /api/exports/{id}), per export on the silo that hosts it.");
    }

    /// <summary>A segment shard applied a batch: how many events came, and how many it dropped.</summary>
    public static void RecordSegmentBatch(string segmentId, int events, SegmentApplyResult result)
    {
        var tag = new KeyValuePair<string, object?>("segment_id", segmentId);
        EventsReceived.Add(events, tag);
        Add(Duplicates, result.Duplicates, tag);
        Add(Stale, result.Stale, tag);
    }

    /// <summary>An export shard applied its segments' changes: members whose data cannot be sent are rejections.</summary>
    public static void RecordApplied(string exportId, ShardApplyResult result)
    {
        if (result.Rejected > 0)
        {
            Rejections.Add(result.Rejected, Export(exportId), new("stage", "event"));
        }
    }

    public static void RecordOutcomes(string exportId, IReadOnlyList<ContactOutcome> outcomes)
    {
        var tag = Export(exportId);
        foreach (var group in outcomes.Where(o => o.Kind is not (OutcomeKind.Returned or OutcomeKind.Unconfirmed or OutcomeKind.OptedOut)).GroupBy(o => (o.Kind, o.Action)))
        {
            if (group.Key.Kind == OutcomeKind.Accepted)
            {
                ContactsSent.Add(group.Count(), tag, new("action", ActionName(group.Key.Action)));
            }
            else
            {
                Rejections.Add(group.Count(), tag, new("stage", "activecampaign"));
            }
        }
    }

    public static void RecordErasures(int erasures) => Erasures.Add(erasures);

    public static void RecordImportQueued(string exportId) => Imports.Add(1, Export(exportId));

    public static void ReportPending(string exportId, long pending) => PendingByExport[exportId] = pending;

    /// <summary>The export was deleted, stopped or moved to another silo: this silo no longer reports it.</summary>
    public static void Forget(string exportId) => PendingByExport.TryRemove(exportId, out _);

    private static IEnumerable<Measurement<long>> ObservePending() =>
        PendingByExport.Select(pair => new Measurement<long>(pair.Value, Export(pair.Key)));

    private static KeyValuePair<string, object?> Export(string exportId) => new(ExportIdTag, exportId);

    private static void Add(Counter<long> counter, int value, KeyValuePair<string, object?> tag)
    {
        if (value > 0)
        {
            counter.Add(value, tag);
        }
    }

    private static string ActionName(ContactAction action) => action switch
    {
        ContactAction.Upsert => "upsert",
        ContactAction.Resubscribe => "resubscribe",
        ContactAction.Delete => "delete",
        _ => "unsubscribe",
    };
}
