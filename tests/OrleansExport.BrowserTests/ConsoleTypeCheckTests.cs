using System.Diagnostics;
using OrleansExport.TestSupport;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The console's JavaScript is typed with JSDoc under <c>// @ts-check</c> (src/OrleansExport.Silo/jsconfig.json):
/// the pinned TypeScript checks it as the C# compiler checks the rest, with no build step in between.
/// </summary>
public sealed class ConsoleTypeCheckTests
{
    private static readonly string Tools = Path.Combine(RepositoryPaths.Root, "tools", "typescript");

    [Fact]
    public async Task Tsc_finds_no_type_error_in_the_console_scripts()
    {
        await RunAsync("bash", Path.Combine(Tools, "install.sh"));
        var jsconfig = Path.Combine(RepositoryPaths.SiloProject, "jsconfig.json");

        var (exitCode, output) = await RunAsync(Path.Combine(Tools, "node_modules", ".bin", "tsc"), "--noEmit", "--pretty", "false", "-p", jsconfig);

        Assert.True(exitCode == 0, $"tsc found type errors in the console's JavaScript:\n{output}");
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void Every_console_script_is_checked()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepositoryPaths.SiloProject, "wwwroot", "js"), "*.js", SearchOption.AllDirectories);

        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.StartsWith("// @ts-check", File.ReadAllText(script)));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + await error);
    }
}
