using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace OrleansExport.LoadTests.Targets;

/// <summary>
/// Azure Storage for <c>--storage azurite</c>: the given connection string, or Azurite from the repository's pinned
/// npm package (tools/azurite), started here on ports the OS picks, persisting to a temporary folder (a million
/// members do not fit its in-memory limit) that goes with it.
/// </summary>
internal sealed partial class HarnessAzurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _process;
    private readonly string _folder;

    private HarnessAzurite(string connectionString, Process? process, string folder)
    {
        ConnectionString = connectionString;
        _process = process;
        _folder = folder;
        KeyRingCertificatePath = Path.Combine(folder, "key-ring.pfx");
        // The production profile encrypts the key ring with a certificate; a throwaway one serves the run.
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

        var tool = Path.Combine(RepositoryRoot(), "tools", "azurite");
        await RunAsync("bash", Path.Combine(tool, "install.sh"), cancellationToken);
        var start = new ProcessStartInfo(Path.Combine(tool, "node_modules", ".bin", "azurite"))
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--location", Path.Combine(folder, "data"), "--disableTelemetry", "--skipApiVersionCheck", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0", "--tableHost", "127.0.0.1", "--tablePort", "0",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && ListeningLine().Match(text) is { Success: true } match)
            {
                lock (ports)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value);
                    if (ports.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return new HarnessAzurite(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports["Blob"]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports["Queue"]}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{ports["Table"]}/devstoreaccount1;",
            process, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OrleansExport.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("--storage azurite without --azurite-connection-string starts the repository's Azurite: run the harness from the repository.");
    }

    private static async Task RunAsync(string fileName, string argument, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, [argument]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{argument} failed ({process.ExitCode}): {await error}");
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
