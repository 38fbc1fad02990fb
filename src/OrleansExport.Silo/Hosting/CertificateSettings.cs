using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// A PFX certificate with its private key, named by configuration (<c>{Section}:CertificatePath</c> and
/// <c>{Section}:CertificatePassword</c>): the cluster's TLS identity, or the key that encrypts the Data
/// Protection key ring.
/// </summary>
public sealed record CertificateSettings(string Section, string Path, string? Password)
{
    /// <summary>The settings under <paramref name="section"/>, or null when no path is set.</summary>
    public static CertificateSettings? Read(IConfiguration configuration, string section)
    {
        var path = configuration[$"{section}:CertificatePath"];
        return string.IsNullOrWhiteSpace(path) ? null : new CertificateSettings(section, path, configuration[$"{section}:CertificatePassword"]);
    }

    /// <summary>Loads the certificate; a missing file, a wrong password or no private key is a start-up error.</summary>
    public X509Certificate2 Load()
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(Path, Password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingException(
                $"{Section}:CertificatePath '{Path}' cannot be read as a PFX file ({(File.Exists(Path) ? $"wrong {Section}:CertificatePassword?" : "no such file")}).");
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidSettingException($"{Section}:CertificatePath '{Path}' holds no private key; export the PFX with it.");
    }
}
