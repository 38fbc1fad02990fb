using System.Collections;
using OrleansExport.TestSupport;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>The configuration of one production-profile test silo: the shared test defaults, quieter logs, one admin key.</summary>
public sealed class SiloSettings : IEnumerable<KeyValuePair<string, string?>>
{
    public const string AdminKey = TestKeys.Admin;

    public Dictionary<string, string?> Values { get; } = TestSettings.Common()
        .WithApiKey(0, AdminKey, "Admin", "tests")
        .With("Export:MaxBatchDelay", "00:00:02")
        .With("Logging:LogLevel:Default", "Warning")
        .With("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning")
        .With("Logging:LogLevel:Orleans", "Error");

    /// <summary>Azure Storage clustering, grain state and reminders in Azurite, memory streams; TLS between silos, an encrypted key ring.</summary>
    public static SiloSettings AzureStorage(string connectionString, string clusterId) => new()
    {
        ["Orleans:Storage"] = "AzureStorage",
        ["Orleans:Clustering"] = "AzureStorage",
        ["ConnectionStrings:AzureStorage"] = connectionString,
        ["Orleans:ClusterId"] = clusterId,
        ["Orleans:ServiceId"] = clusterId,
        ["Orleans:AdvertisedIP"] = "127.0.0.1",
        ["Orleans:Tls:CertificatePath"] = TestCertificates.Cluster,
        ["Orleans:Tls:CertificatePassword"] = TestCertificates.Password,
        ["DataProtection:CertificatePath"] = TestCertificates.Cluster,
        ["DataProtection:CertificatePassword"] = TestCertificates.Password,
    };

    public string this[string key]
    {
        set => Values[key] = value;
    }

    /// <summary>A copy with its own silo and gateway ports, so that several silos can share the machine.</summary>
    public SiloSettings WithFreePorts()
    {
        var copy = new SiloSettings();
        foreach (var (key, value) in Values)
        {
            copy.Values[key] = value;
        }

        copy.Values.WithFreePorts();
        return copy;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
