using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>
/// Makes sure the shared key ring has a key before the silo serves, creating the first one under a blob
/// lease. Without it, silos started together could each create their own first key and, for a day (the
/// key ring's refresh period), fail to decrypt what the other encrypted.
/// </summary>
public sealed partial class KeyRingStartup(
    IKeyManager keyManager,
    IOptions<KeyManagementOptions> options,
    BlobContainerClient container,
    TimeProvider time,
    ILogger<KeyRingStartup> logger) : IHostedService
{
    private const string LockBlobName = "keys.lock";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LeaseRetryDelay = TimeSpan.FromMilliseconds(250);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (keyManager.GetAllKeys().Count > 0)
        {
            return;
        }

        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var lockBlob = container.GetBlobClient(LockBlobName);
        if (!await lockBlob.ExistsAsync(cancellationToken))
        {
            try
            {
                await lockBlob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 409)
            {
                // Another silo created it first.
            }
        }

        var lease = lockBlob.GetBlobLeaseClient();
        await AcquireAsync(lease, cancellationToken);
        try
        {
            if (keyManager.GetAllKeys().Count == 0)
            {
                var now = time.GetUtcNow();
                keyManager.CreateNewKey(now, now + options.Value.NewKeyLifetime);
                LogFirstKeyCreated();
            }
        }
        finally
        {
            await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
        }
    }

    private static async Task AcquireAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
                return;
            }
            catch (RequestFailedException exception) when (exception.Status == 409)
            {
                await Task.Delay(LeaseRetryDelay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first Data Protection key in the shared key ring")]
    private partial void LogFirstKeyCreated();
}
