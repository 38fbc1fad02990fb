using System.Diagnostics.Metrics;
using Azure.Core;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>Requests to Azure Storage, on the project's <c>OrleansExport</c> meter, tagged by service and read or write.</summary>
public static class StorageMetrics
{
    public const string MeterName = "OrleansExport";
    public const string RequestsInstrument = "orleansexport.storage.requests";
    public const string Table = "table";
    public const string Blob = "blob";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests sent to Azure Storage (retries included), by service and kind (read or write).");

    internal static void RecordRequest(string service, RequestMethod method) =>
        Requests.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("kind", IsRead(method) ? "read" : "write"));

    private static bool IsRead(RequestMethod method) => method == RequestMethod.Get || method == RequestMethod.Head;
}
