using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// A PFX certificate with its private key, named by configuration (<c>{section}:CertificatePath</c> and
/// <c>{section}:CertificatePassword</c>): the cluster's TLS identity, or the key that encrypts the Data
/// Protection key ring.
/// </summary>
public sealed class CertificateSettings
{
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public bool IsSet => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>
    /// Loads the certificate when the host is built (the settings' validation does not read files); a missing file,
    /// a wrong password or no private key is a start-up error like an invalid setting.
    /// </summary>
    public X509Certificate2 Load(string section)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath!, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw Invalid($"{section}:CertificatePath '{CertificatePath}' cannot be read as a PFX file ({(File.Exists(CertificatePath) ? $"wrong {section}:CertificatePassword?" : "no such file")}).");
        }

        return certificate.HasPrivateKey ? certificate : throw Invalid($"{section}:CertificatePath '{CertificatePath}' holds no private key; export the PFX with it.");
    }

    private static OptionsValidationException Invalid(string failure) => new(nameof(CertificateSettings), typeof(CertificateSettings), [failure]);
}
