using System.Diagnostics.Metrics;

namespace OrleansExport.Silo.EventHubs;

/// <summary>Upstream events that could not be read, on the project's <c>OrleansExport</c> meter.</summary>
public static class IngestMetrics
{
    public const string MeterName = "OrleansExport";
    public const string MalformedInstrument = "orleansexport.events.malformed";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Malformed =
        Meter.CreateCounter<long>(MalformedInstrument, "{event}", "Event Hubs bodies that were not a valid event (docs/api.md section 1) and were skipped.");

    internal static void RecordMalformed() => Malformed.Add(1);
}
