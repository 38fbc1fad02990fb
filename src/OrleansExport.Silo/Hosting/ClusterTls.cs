using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace OrleansExport.Silo.Hosting;

/// <summary>
/// Mutual TLS between silos, and between clients and the gateway: every side presents the cluster
/// certificate (<c>Orleans:Tls:CertificatePath</c>) and accepts only a peer presenting that same
/// certificate. Pinning it makes a self-signed certificate as good as one from a CA, and keeps out anyone
/// whose certificate merely chains to a trusted root.
/// </summary>
public static class ClusterTls
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(certificate, options => Configure(options, certificate));

    /// <summary>The same rules for an Orleans client of the cluster (load driver, tools).</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(certificate, options => Configure(options, certificate));

    private static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) => remote is not null
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(remote.GetCertHash(), certificate.GetCertHash());
    }
}
