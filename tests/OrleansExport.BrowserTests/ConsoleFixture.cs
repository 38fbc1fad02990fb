using System.Net.Http.Headers;
using Microsoft.Playwright;
using OrleansExport.Simulator;
using OrleansExport.TestSupport;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The real silo host (HTTP API and console) and the ActiveCampaign simulator, both in-process on free
/// loopback ports, and Debian's Chromium driven by Playwright. Shared by the tests of one collection.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string AdminKey = TestKeys.Admin;
    public const string ContributorKey = TestKeys.Contributor;
    public const string ViewerKey = TestKeys.Viewer;
    public const string SimulatorApiKey = "sim-key-1";

    /// <summary>Override with CHROMIUM_PATH; the default is where Debian's <c>chromium</c> package puts it.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private InProcessSilo? _silo;
    private IPlaywright? _playwright;
    private string? _userDataDir;

    public ActiveCampaignSimulator Simulator { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>Where the tests save their screenshots: <c>TestResults/screenshots</c> at the repository root.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot, "TestResults", "screenshots");

    public static string RepositoryRoot => RepositoryPaths.Root;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ChromiumPath}. Install Debian's chromium and chromium-driver: tests/OrleansExport.BrowserTests/install-browser.sh");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        Simulator = await ActiveCampaignSimulator.StartAsync(new SimulatorOptions { TimeScale = 60 });

        _silo = await InProcessSilo.StartAsync(TestSettings.Defaults()
            .With("environment", "Production")
            .With("contentRoot", RepositoryPaths.SiloProject)
            .WithApiKey(0, AdminKey, "Admin", "alice")
            .WithApiKey(1, ContributorKey, "Contributor", "bob")
            .WithApiKey(2, ViewerKey, "Viewer", "carol")
            .With("ActiveCampaign:Limits:TimeScale", "60")
            .With("Logging:LogLevel:Default", "Warning")
            .With("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning"));
        BaseAddress = _silo.BaseAddress;
        await _silo.WaitUntilReadyAsync();

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
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Console";
}
