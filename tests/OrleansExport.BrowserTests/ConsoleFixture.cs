using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using OrleansExport.Silo.Hosting;
using OrleansExport.Simulator;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The real silo host (HTTP API and console) and the ActiveCampaign simulator, both in-process on free
/// loopback ports, and Debian's Chromium driven by Playwright. Shared by the tests of one collection.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string AdminKey = "browser-test-admin-key-0001";
    public const string ContributorKey = "browser-test-contributor-key-0002";
    public const string ViewerKey = "browser-test-viewer-key-0003";
    public const string SimulatorApiKey = "sim-key-1";

    /// <summary>Override with CHROMIUM_PATH; the default is where Debian's <c>chromium</c> package puts it.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private WebApplication? _silo;
    private IPlaywright? _playwright;
    private string? _userDataDir;

    public ActiveCampaignSimulator Simulator { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>Where the tests save their screenshots: <c>TestResults/screenshots</c> at the repository root.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot, "TestResults", "screenshots");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ChromiumPath}. Install Debian's chromium and chromium-driver: tests/OrleansExport.BrowserTests/install-browser.sh");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        Simulator = await ActiveCampaignSimulator.StartAsync(new SimulatorOptions { TimeScale = 60 });

        _silo = SiloApp.Build(
        [
            "--environment=Production",
            $"--contentRoot={Path.Combine(RepositoryRoot, "src", "OrleansExport.Silo")}",
            "--urls=http://127.0.0.1:0",
            "--Demo:Enabled=false",
            $"--Api:Keys:0:Key={AdminKey}", "--Api:Keys:0:Role=Admin", "--Api:Keys:0:User=alice",
            $"--Api:Keys:1:Key={ContributorKey}", "--Api:Keys:1:Role=Contributor", "--Api:Keys:1:User=bob",
            $"--Api:Keys:2:Key={ViewerKey}", "--Api:Keys:2:Role=Viewer", "--Api:Keys:2:User=carol",
            "--ActiveCampaign:AllowInsecureLoopback=true",
            "--ActiveCampaign:Limits:TimeScale=60",
            "--Export:MaxBatchDelay=00:00:01",
            $"--Orleans:SiloPort={FreeTcpPort()}",
            $"--Orleans:GatewayPort={FreeTcpPort()}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ]);
        await _silo.StartAsync();
        BaseAddress = new Uri(_silo.Urls.First().TrimEnd('/') + "/");
        await WaitUntilReadyAsync();

        // Playwright's own browser download is never used: it drives the system Chromium below.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _userDataDir = Directory.CreateTempSubdirectory("orleans-export-chromium-").FullName;
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_userDataDir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            BaseURL = BaseAddress.ToString(),
        });
        Browser.SetDefaultTimeout(15_000);
    }

    /// <summary>A new tab: its sessionStorage is its own, so each starts signed out.</summary>
    public Task<IPage> NewPageAsync() => Browser.NewPageAsync();

    /// <summary>A client of the HTTP API with the given key, for setting up data and checking what the console did.</summary>
    public HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }

        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        if (_userDataDir is not null)
        {
            Directory.Delete(_userDataDir, recursive: true);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("The silo did not become ready within 60 s.");
            }

            await Task.Delay(200);
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansExport.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"OrleansExport.sln not found above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Console";
}
