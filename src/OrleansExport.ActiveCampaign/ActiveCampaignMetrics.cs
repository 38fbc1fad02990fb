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

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>(RequestsInstrument, "{request}", "HTTP requests sent to ActiveCampaign, per endpoint and status code.");
    private static readonly Counter<long> Throttled =
        Meter.CreateCounter<long>(ThrottledInstrument, "{response}", "429 answers from ActiveCampaign, per endpoint.");

    private static readonly Counter<long> CircuitOpen =
        Meter.CreateCounter<long>(CircuitOpenInstrument, "{call}", "Calls refused because the account's circuit was open, per endpoint.");

    internal static void RecordRequest(string endpoint, int statusCode) =>
        Requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status_code", statusCode));

    internal static void RecordThrottled(string endpoint) =>
        Throttled.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));

    internal static void RecordCircuitOpen(string endpoint) =>
        CircuitOpen.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));
}
