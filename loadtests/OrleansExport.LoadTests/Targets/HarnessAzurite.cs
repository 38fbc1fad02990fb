using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansExport.TestSupport;

namespace OrleansExport.LoadTests.Targets;

/// <summary>
/// Azure Storage for <c>--storage azurite</c>: the given connection string, or the repository's Azurite
/// (<see cref="AzuriteProcess"/>) persisting to a temporary folder (a million members do not fit its in-memory
/// limit) that goes with it; and a throwaway certificate for the key ring, which the production profile encrypts.
/// </summary>
internal sealed class HarnessAzurite : IAsyncDisposable
{
    private readonly AzuriteProcess? _azurite;
    private readonly string _folder;

    private HarnessAzurite(string connectionString, AzuriteProcess? azurite, string folder)
    {
        ConnectionString = connectionString;
        _azurite = azurite;
        _folder = folder;
        KeyRingCertificatePath = Path.Combine(folder, "key-ring.pfx");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=orleans-export-loadtest", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(KeyRingCertificatePath, certificate.Export(X509ContentType.Pfx, KeyRingCertificatePassword));
    }

    public string ConnectionString { get; }

    public string KeyRingCertificatePath { get; }

    public string KeyRingCertificatePassword => "loadtest";

    public static async Task<HarnessAzurite> StartAsync(string? connectionString, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("orleans-export-loadtest-").FullName;
        if (connectionString is not null)
        {
            return new HarnessAzurite(connectionString, null, folder);
        }

        var azurite = await AzuriteProcess.StartAsync(Path.Combine(folder, "data"), cancellationToken);
        return new HarnessAzurite(azurite.ConnectionString, azurite, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
