namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>The configuration of one test silo, in the keys of docs/api.md section 3.</summary>
public sealed class SiloSettings
{
    public const string AdminKey = "production-tests-admin-key-0001";

    public Dictionary<string, string> Values { get; } = new()
    {
        ["Api:Keys:0:Key"] = AdminKey,
        ["Api:Keys:0:Role"] = "Admin",
        ["Api:Keys:0:User"] = "tests",
        ["Demo:Enabled"] = "false",
        ["ActiveCampaign:AllowInsecureLoopback"] = "true",
        ["Export:MaxBatchDelay"] = "00:00:02",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Error",
    };

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

        copy["Orleans:SiloPort"] = FreePorts.Next().ToString();
        copy["Orleans:GatewayPort"] = FreePorts.Next().ToString();
        return copy;
    }

    /// <summary>As command-line arguments for an in-process host; it listens on a port the OS picks, over HTTP unless <c>urls</c> is set.</summary>
    public string[] ToArguments() =>
        [.. Values.Select(pair => $"--{pair.Key}={pair.Value}"), .. Values.ContainsKey("urls") ? Array.Empty<string>() : ["--urls=http://127.0.0.1:0"]];
}
