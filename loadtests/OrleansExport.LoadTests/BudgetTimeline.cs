using System.Diagnostics.Metrics;
using OrleansExport.ActiveCampaign;

namespace OrleansExport.LoadTests;

/// <summary>
/// Where the import budget goes during the first run, from the ActiveCampaign client's own meter (in-process
/// silo only): how long requests waited for permits, how long ActiveCampaign took to answer, and how late
/// each slot was freed after its window. A request holds its slot from its permit until one window after
/// its answer (so no delay can cause a 429); from these means follows the ceiling each window allows.
/// </summary>
internal sealed class BudgetTimeline : IDisposable
{
    private const string BulkImport = "import/bulk_import";
    private const string ImportInfo = "import/info";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Instrument, string Tag), (double Sum, long Count)> _totals = [];
    private volatile bool _recording;

    public BudgetTimeline()
    {
        string[] instruments = [ActiveCampaignMetrics.PermitWaitInstrument, ActiveCampaignMetrics.AnswerTimeInstrument, ActiveCampaignMetrics.SlotOverholdInstrument];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ActiveCampaignMetrics.MeterName && instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
        {
            if (!_recording)
            {
                return;
            }

            var tag = "";
            foreach (var pair in tags)
            {
                if (pair.Key is "endpoint" or "window")
                {
                    tag = pair.Value?.ToString() ?? "";
                }
            }

            lock (_gate)
            {
                var (sum, count) = _totals.GetValueOrDefault((instrument.Name, tag));
                _totals[(instrument.Name, tag)] = (sum + seconds, count + 1);
            }
        });
        _listener.Start();
    }

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The means, and the ceiling (share of the import budget) that each window and the permit schedule leave.</summary>
    public BudgetFigures Figures(ActiveCampaignLimits limits)
    {
        lock (_gate)
        {
            var importWindow = TimeSpan.FromMinutes(1).TotalMilliseconds / limits.TimeScale;
            var requestWindow = TimeSpan.FromSeconds(1).TotalMilliseconds / limits.TimeScale;
            var imports = Count(ActiveCampaignMetrics.AnswerTimeInstrument, BulkImport);
            var requests = _totals.Where(t => t.Key.Instrument == ActiveCampaignMetrics.AnswerTimeInstrument).Sum(t => t.Value.Count);
            var requestsPerImport = imports == 0 ? 0 : (double)requests / imports;
            var importAnswer = MeanMs(ActiveCampaignMetrics.AnswerTimeInstrument, BulkImport);
            var anyAnswer = MeanMs(ActiveCampaignMetrics.AnswerTimeInstrument, tag: null);
            var importOverhold = MeanMs(ActiveCampaignMetrics.SlotOverholdInstrument, "imports");
            var requestOverhold = MeanMs(ActiveCampaignMetrics.SlotOverholdInstrument, "requests");

            // An import slot cycles every window + answer + overhold; the request window's slots serve every request of an import.
            var byImportWindow = importWindow / (importWindow + importAnswer + importOverhold);
            var importsPerRequestWindowCycle = limits.RequestsPerSecond / Math.Max(requestsPerImport, 1) * requestWindow / (requestWindow + anyAnswer + requestOverhold);
            var byRequestWindow = importsPerRequestWindowCycle * (importWindow / requestWindow) / limits.BulkImportsPerMinute;

            // The permit schedule spaces grants by window + margin (PermitSchedule).
            var minimumMargin = limits.MinimumSafetyMargin.TotalMilliseconds / limits.TimeScale;
            var importSpacing = importWindow + Math.Max(importWindow * limits.SafetyMargin, minimumMargin);
            var requestSpacing = requestWindow + Math.Max(requestWindow * limits.RequestSafetyMargin, minimumMargin);
            var bySchedule = Math.Min(importWindow / importSpacing,
                limits.RequestsPerSecond / Math.Max(requestsPerImport, 1) * (importWindow / requestSpacing) / limits.BulkImportsPerMinute);

            return new BudgetFigures(
                Round(importWindow), Round(requestWindow), Math.Round(requestsPerImport, 3),
                Round(MeanMs(ActiveCampaignMetrics.PermitWaitInstrument, BulkImport)), Round(importAnswer), Round(MeanMs(ActiveCampaignMetrics.AnswerTimeInstrument, ImportInfo)),
                Round(anyAnswer), Round(importOverhold), Round(requestOverhold),
                Math.Round(byImportWindow, 4), Math.Round(byRequestWindow, 4), Math.Round(bySchedule, 4),
                Math.Round(Math.Min(Math.Min(byImportWindow, byRequestWindow), bySchedule), 4));
        }
    }

    private long Count(string instrument, string tag) => _totals.GetValueOrDefault((instrument, tag)).Count;

    /// <summary>The mean in milliseconds for one tag, or over every tag when <paramref name="tag"/> is null.</summary>
    private double MeanMs(string instrument, string? tag)
    {
        var matching = _totals.Where(t => t.Key.Instrument == instrument && (tag is null || t.Key.Tag == tag)).Select(t => t.Value).ToList();
        var count = matching.Sum(v => v.Count);
        return count == 0 ? 0 : matching.Sum(v => v.Sum) * 1000 / count;
    }

    private static double Round(double milliseconds) => Math.Round(milliseconds, 3);

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// The first run's import budget, taken apart (times in real milliseconds, that is under the time scale).
/// Each <c>Ceiling</c> is the share of the import budget (as <c>utilization</c>) that one constraint alone
/// allows given the means measured: a slot's cycle is its window plus the answer plus the overhold.
/// </summary>
/// <param name="ImportWindowMs">The multi-contact import window (60 s divided by the time scale).</param>
/// <param name="RequestWindowMs">The requests-per-second window (1 s divided by the time scale).</param>
/// <param name="RequestsPerImport">Requests of every kind per bulk import (its import/info poll included).</param>
/// <param name="ImportPermitWaitMs">Mean wait of a bulk import for its permit: long while the budget is the limit, as it should be.</param>
/// <param name="ImportAnswerMs">Mean time from a bulk import's permit to its answer.</param>
/// <param name="PollAnswerMs">The same for import/info polls.</param>
/// <param name="RequestAnswerMs">The same over every request: what each request-window slot cycle adds.</param>
/// <param name="ImportSlotOverholdMs">Mean delay past the window before a freed import slot was released (timer slack).</param>
/// <param name="RequestSlotOverholdMs">The same for request slots.</param>
/// <param name="CeilingByImportWindow">window / (window + import answer + overhold).</param>
/// <param name="CeilingByRequestWindow">Imports the 5-per-second window can carry with each import's requests, over the import limit.</param>
/// <param name="CeilingBySchedule">What the permit schedule's safety margins leave.</param>
/// <param name="Ceiling">The smallest of the three: what utilization could be with no gap between batches.</param>
public sealed record BudgetFigures(
    double ImportWindowMs,
    double RequestWindowMs,
    double RequestsPerImport,
    double ImportPermitWaitMs,
    double ImportAnswerMs,
    double PollAnswerMs,
    double RequestAnswerMs,
    double ImportSlotOverholdMs,
    double RequestSlotOverholdMs,
    double CeilingByImportWindow,
    double CeilingByRequestWindow,
    double CeilingBySchedule,
    double Ceiling);
