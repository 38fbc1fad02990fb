using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>Self-signed certificates made in the test, written as password-protected PFX files the host reads from configuration.</summary>
public static class TestCertificates
{
    public const string Password = "test-pfx-password";

    private static readonly Lazy<string> ClusterPath = new(() => Write("orleans-export-cluster"));

    /// <summary>The cluster certificate every test silo shares (TLS and the key ring).</summary>
    public static string Cluster => ClusterPath.Value;

    /// <summary>A new self-signed certificate with its private key, as a PFX file in the temp folder.</summary>
    public static string Write(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Path.GetTempPath(), $"{subject}-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    public static X509Certificate2 Load(string path) => X509CertificateLoader.LoadPkcs12FromFile(path, Password, X509KeyStorageFlags.EphemeralKeySet);
}
