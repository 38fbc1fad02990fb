using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>
/// The table and blob clients of the <c>AzureStorage</c> profile, made once from
/// <c>ConnectionStrings:AzureStorage</c> and shared by clustering, grain state, reminders, stream
/// checkpoints, shard journals and Data Protection keys. Every request they send is counted in
/// <see cref="StorageMetrics"/>.
/// </summary>
public sealed class AzureStorageClients
{
    public AzureStorageClients(string connectionString)
    {
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(new CountingPolicy(StorageMetrics.Table), HttpPipelinePosition.PerRetry);
        Tables = new TableServiceClient(connectionString, tableOptions);

        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(new CountingPolicy(StorageMetrics.Blob), HttpPipelinePosition.PerRetry);
        Blobs = new BlobServiceClient(connectionString, blobOptions);
    }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    private sealed class CountingPolicy(string service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            StorageMetrics.RecordRequest(service, message.Request.Method, message.Request.Content is { } content && content.TryComputeLength(out var length) ? length : null);
    }
}
