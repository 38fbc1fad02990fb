using System.Diagnostics.Metrics;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Counters of the ActiveCampaign client, published on the project's <c>OrleansExport</c> meter.
/// Tags name the endpoint and status code only: never a key, never a host name.
/// </summary>
public static class ActiveCampaignMetrics
{
    public const string MeterName = "OrleansExport";
    public const string RequestsInstrument = "orleansexport.activecampaign.requests";
    public const string ThrottledInstrument = "orleansexport.activecampaign.throttled";
    public const string CircuitOpenInstrument = "orleansexport.activecampaign.circuit_open";
    public const string PermitWaitInstrument = "orleansexport.activecampaign.permit_wait";
    public const string AnswerTimeInstrument = "orleansexport.activecampaign.answer_time";
    public const string SlotOverholdInstrument = "orleansexport.activecampaign.slot_overhold";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>(RequestsInstrument, "{request}", "HTTP requests sent to ActiveCampaign, per endpoint and status code.");
    private static readonly Counter<long> Throttled =
        Meter.CreateCounter<long>(ThrottledInstrument, "{response}", "429 answers from ActiveCampaign, per endpoint.");

    private static readonly Counter<long> CircuitOpen =
        Meter.CreateCounter<long>(CircuitOpenInstrument, "{call}", "Calls refused because the account's circuit was open, per endpoint.");

    // Where the import budget goes: a request slot is busy from the permit to the answer, then for one window.
    private static readonly Histogram<double> PermitWait =
        Meter.CreateHistogram<double>(PermitWaitInstrument, "s", "Time a request waited for its permit (the account's budget), per endpoint.");
    private static readonly Histogram<double> AnswerTime =
        Meter.CreateHistogram<double>(AnswerTimeInstrument, "s", "Time from a request's permit to ActiveCampaign's answer, per endpoint.");
    private static readonly Histogram<double> SlotOverhold =
        Meter.CreateHistogram<double>(SlotOverholdInstrument, "s",
            "How much later than one window after its answer a request's slot was freed (timer slack), per window: requests or imports.");

    internal static void RecordPermitWait(string endpoint, TimeSpan wait) =>
        PermitWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint));

    internal static void RecordAnswerTime(string endpoint, TimeSpan time) =>
        AnswerTime.Record(time.TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint));

    internal static void RecordSlotOverhold(string window, TimeSpan late) =>
        SlotOverhold.Record(late.TotalSeconds, new KeyValuePair<string, object?>("window", window));

    internal static void RecordRequest(string endpoint, int statusCode) =>
        Requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status_code", statusCode));

    internal static void RecordThrottled(string endpoint) =>
        Throttled.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));

    internal static void RecordCircuitOpen(string endpoint) =>
        CircuitOpen.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));
}
