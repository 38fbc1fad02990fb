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

    public const string BytesWrittenInstrument = "orleansexport.storage.bytes_written";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests =
        Meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests sent to Azure Storage (retries included), by service and kind (read or write).");
    private static readonly Counter<long> BytesWritten =
        Meter.CreateCounter<long>(BytesWrittenInstrument, "By", "Request bodies sent to Azure Storage (retries included), by service.");

    internal static void RecordRequest(string service, RequestMethod method, long? contentLength)
    {
        var read = IsRead(method);
        Requests.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("kind", read ? "read" : "write"));
        if (!read && contentLength is > 0)
        {
            BytesWritten.Add(contentLength.Value, new KeyValuePair<string, object?>("service", service));
        }
    }

    private static bool IsRead(RequestMethod method) => method == RequestMethod.Get || method == RequestMethod.Head;
}
