using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansExport.LoadTests.Reports;

/// <summary>Writes the results JSON and the human summary (HTML with the throughput chart).</summary>
public static class ResultFiles
{
    public static async Task WriteJsonAsync(string path, LoadTestResult result)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, LoadTestResult.Json);
    }

    public static Task WriteHtmlAsync(string path, LoadTestResult result) => File.WriteAllTextAsync(path, Html(result));

    public static string Html(LoadTestResult r)
    {
        static string E(string text) => ThroughputChart.Escape(text);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>OrleansExport load test</title>");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".met{color:#2a7d2a}.missed{color:#b22}code{background:#f4f4f4;padding:2px 4px;word-break:break-all}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>OrleansExport load test: {r.Setup.Profiles:N0} profiles</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p><code>{E(r.Setup.CommandLine)}</code><br>started {r.Setup.StartedAt:u}, {r.Setup.ProcessorCount} cores, {E(r.Setup.Runtime)}, ")
            .Append(CultureInfo.InvariantCulture, $"time scale {r.Setup.TimeScale:G}, ingest via {r.Setup.Ingest}, {(r.Setup.SiloInProcess ? "silo in process" : "remote cluster")}, {r.Setup.ShardCount} shards</p>");
        html.Append("<h2>Figures against targets</h2><table><tr><th>figure</th><th>value</th><th>target</th><th></th></tr>");
        foreach (var check in TargetChecks.For(r))
        {
            var mark = check.Met switch { true => "<span class=\"met\">met</span>", false => "<span class=\"missed\">below target</span>", null => "" };
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(check.Figure)}</td><td>{E(check.Value)}</td><td>{E(check.Target)}</td><td>{mark}</td></tr>");
        }

        html.Append("</table><h2>Throughput over time</h2>").Append(ThroughputChart.Svg(r));
        html.Append("<h2>Details</h2><ul>");
        foreach (var line in Details(r))
        {
            html.Append("<li>").Append(E(line)).Append("</li>");
        }

        html.Append("</ul>");
        if (r.SiloWarnings.Count > 0)
        {
            html.Append("<h2>Silo warnings (newest last)</h2><pre>");
            foreach (var warning in r.SiloWarnings)
            {
                html.Append(E(warning)).Append('\n');
            }

            html.Append("</pre>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    public static IEnumerable<string> Details(LoadTestResult r)
    {
        var i = r.Ingest;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Ingest into segment state (no export yet): {i.Events:N0} events in {i.Seconds:F2} s ({i.CpuMicrosecondsPerEvent:F2} µs of processor time per event); the segment holds {i.SegmentMembers:N0} members, {i.ExpectedMembers:N0} of them with a valid email.");
        if (r.Backfill is { } backfill)
        {
            yield return Backfill("Export created on the loaded segment", backfill);
        }

        if (r.Run is { } run)
        {
            yield return Phase($"First run ({r.RunStatus}; every member is sent, the budget figures come from it)", run, r.Setup.TimeScale);
        }

        if (r.Accounts is { } accounts)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{accounts.Count} accounts at once, one export each (their first runs together): {accounts.ImportsPerSecond:F1} bulk imports a second over {accounts.SpanSeconds:F1} s ({accounts.ImportsPerSecondAllowed:F1} allowed); ")
                + "utilization per account: " + string.Join(", ", accounts.PerAccount.Select(a => string.Create(CultureInfo.InvariantCulture,
                    $"{a.Account}: {a.Utilization:F3}{(a.ListMatchesMembership ? "" : " (list WRONG)")}"))) + ".";
        }

        if (r.Kill is { } kill)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Silo kill: {kill.Silos} silo processes (production profile, Azurite); {kill.KilledSilo}, which held the export's delivery loop, was killed (kill -9) {kill.RunSecondsAtKill:F1} s into the first run, with {kill.SentAtKill:N0} of {kill.ContactsNeeded:N0} contacts sent. ")
                + string.Create(CultureInfo.InvariantCulture,
                $"ActiveCampaign accepted the next import {kill.ResumeSeconds:F1} s after the kill; nothing was pending {kill.FinishedSecondsAfterKill:F1} s after it; {kill.Sent:N0} contacts sent for {kill.ContactsNeeded:N0} members ({kill.Duplicates:N0} twice). Membership: {kill.Membership}.");
        }

        if (r.Reconcile is { } reconcile)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Reconciliation after the first run ({reconcile.Status}): {reconcile.Read:N0} contacts read back in {reconcile.Seconds:F1} s with {reconcile.Requests:N0} ActiveCampaign requests (100 contacts a page, paced with delivery); {reconcile.Missing:N0} missing, {reconcile.OptedOut:N0} opted out, {reconcile.Strangers:N0} strangers.");
        }

        if (r.Budget is { } budget)
        {
            yield return Budget(budget);
        }

        if (r.List is { } list)
        {
            yield return List("List after the first run", list);
        }

        if (r.SecondExport is { } secondExport)
        {
            yield return Backfill("Second export on the same segment (never run)", secondExport);
        }

        var m = r.Memory;
        if (m.HeapBaselineBytes is { } before && m.HeapAfterLoadBytes is { } after)
        {
            var loaded = r.Setup.IngestOnly ? "in segment state" : "in segment state and the first export, delivered";
            var tables = m.MemberStateBytes is { } bytes
                ? string.Create(CultureInfo.InvariantCulture, $"; of that, the first export's member tables hold {bytes / 1048576.0:F1} MiB ({m.MemberStateBytesPerMember:F1} bytes per member)")
                : "";
            var withSecond = m.HeapAfterSecondExportBytes is { } afterSecond
                ? string.Create(CultureInfo.InvariantCulture, $"; {afterSecond / 1048576.0:F1} MiB with the second export too ({r.BytesPerMemberSecondExport:F1} bytes per member)")
                : "";
            var parts = m.StreamCacheBytesPerMember is { } cache
                ? string.Create(CultureInfo.InvariantCulture,
                    $" Per member: segment state {m.SegmentStateBytesPerMember:F1} bytes, the memory streams' cache {cache:F1} (the whole ingest burst, kept until messages 30 minutes younger arrive), everything else {m.OtherBytesPerMember:F1} (Orleans, the host and the export's journal of deliveries).")
                : "";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Managed heap: {before / 1048576.0:F1} MiB before the first event, {after / 1048576.0:F1} MiB with {m.Members:N0} members {loaded} (simulator emptied){tables}{withSecond}.{parts}");
        }
    }

    private static string Backfill(string name, BackfillFigures b) => string.Create(CultureInfo.InvariantCulture,
        $"{name} ({b.ExportId} to list {b.ListId}): CreateAsync returned after {b.CreateSeconds:F2} s, the export held {b.Members:N0} members after {b.Seconds:F2} s{(b.Members == b.ExpectedMembers ? "" : $", {b.ExpectedMembers:N0} EXPECTED")} ")
        + string.Create(CultureInfo.InvariantCulture,
            $"(segment: {b.SegmentMembers:N0}; {b.Rejected:N0} rejected), its member tables {b.MemberStateBytes / 1048576.0:F1} MiB; ")
        + string.Create(CultureInfo.InvariantCulture,
            $"awaiting its first run: {(b.AwaitingFirstRun ? "yes" : "no")}, contacts sent to ActiveCampaign by then: {b.ContactsSent:N0}.");

    private static string Phase(string name, ExportFigures x, double timeScale) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{name}: {x.BulkImports:N0} bulk imports ({x.SingleContactImports:N0} single-contact), {x.ContactsImported:N0} contacts imported ({x.ContactsPerImport:F2} per import), ")
        + string.Create(CultureInfo.InvariantCulture,
            $"{x.ContactSyncs:N0} contact syncs, {x.ImportInfoCalls:N0} import/info calls, {x.Requests:N0} requests, {x.Throttled429:N0} throttled; ")
        + string.Create(CultureInfo.InvariantCulture,
            $"{x.BulkImportsPerMinute:F2} imports/min over {x.SteadyStateSeconds:F2} s from first to last import ({x.SteadyStateSeconds * timeScale / 60:F2} min at real limits); ")
        + string.Create(CultureInfo.InvariantCulture, $"the phase took {x.Seconds:F2} s ({x.MinutesAtRealLimits:F2} min at real limits). 429s by endpoint over the whole run: ")
        + (x.ThrottledByEndpoint.Count == 0 ? "none." : string.Join(", ", x.ThrottledByEndpoint.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:N0}"))) + ".");

    private static string Budget(BudgetFigures b) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Where the import budget went: a slot is held from its permit until one window after the answer. Bulk imports were answered in {b.ImportAnswerMs:F2} ms, ")
        + string.Create(CultureInfo.InvariantCulture,
            $"import/info polls in {b.PollAnswerMs:F2} ms ({b.RequestsPerImport:F2} requests per import, {b.RequestAnswerMs:F2} ms on average); slots were freed {b.ImportSlotOverholdMs:F2} ms (imports) and {b.RequestSlotOverholdMs:F2} ms (requests) after their window. ")
        + string.Create(CultureInfo.InvariantCulture,
            $"Ceilings: import window ({b.ImportWindowMs:F1} ms) {b.CeilingByImportWindow:P2}, request window ({b.RequestWindowMs:F2} ms) {b.CeilingByRequestWindow:P2}, permit schedule's margins {b.CeilingBySchedule:P2}: at most {b.Ceiling:P2}.");

    private static string List(string name, ListCheck list) => string.Create(CultureInfo.InvariantCulture,
        $"{name}: {list.Subscribed:N0} subscribed, {list.Expected:N0} expected, {list.Missing:N0} missing, {list.Unexpected:N0} unexpected{(list.Examples.Count > 0 ? ": " + string.Join(", ", list.Examples) : "")}.");
}
