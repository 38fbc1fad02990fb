using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansExport.TestSupport;

/// <summary>The real host as its own process (<c>dotnet OrleansExport.Silo.dll</c>, in Production unless told), configured by environment variables.</summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote, for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<SiloProcess> StartAsync(string name, IEnumerable<KeyValuePair<string, string?>> settings) =>
        StartAsync(name, settings, RepositoryPaths.SiloAssembly, "Production");

    /// <summary>A host <paramref name="assembly"/> (<see cref="RepositoryPaths.SiloAssembly"/> or <see cref="RepositoryPaths.DemoAssembly"/>) in <paramref name="environment"/>.</summary>
    public static async Task<SiloProcess> StartAsync(string name, IEnumerable<KeyValuePair<string, string?>> settings, string assembly, string environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["DOTNET_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        var silo = new SiloProcess(Process.Start(start)!, name);
        await silo.WaitUntilListeningAsync();
        return silo;
    }

    /// <summary>
    /// Runs the host (<paramref name="assembly"/>, by default the silo's) in Production with <paramref name="settings"/> until it exits
    /// (it is expected to refuse to start): its exit code and what it wrote to stderr.
    /// </summary>
    public static async Task<(int ExitCode, string Error)> RunToExitAsync(IEnumerable<KeyValuePair<string, string?>> settings, TimeSpan timeout, string? assembly = null)
    {
        var start = new ProcessStartInfo("dotnet", [assembly ?? RepositoryPaths.SiloAssembly]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return (process.ExitCode, await error);
    }

    private async Task WaitUntilListeningAsync()
    {
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["url"].Value));
            }
        }

        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Silo {Name} exited during start ({_process.ExitCode}):\n{Output}"));
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseAddress = await listening.Task.WaitAsync(StartTimeout);
    }

    /// <summary>kill -9: no shutdown, no last write.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"OrleansExport is listening on (?<url>http://[^,\s]+)")]
    private static partial Regex ListeningLine();
}
