using System.ComponentModel.DataAnnotations;

namespace OrleansExport.Simulator;

/// <summary>
/// A simulated ActiveCampaign account served over real HTTP by an in-process Kestrel: for demo mode and tests.
/// </summary>
public sealed class ActiveCampaignSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ActiveCampaignSimulator(WebApplication app, Uri baseAddress, SimulatorState state)
    {
        _app = app;
        BaseAddress = baseAddress;
        State = state;
    }

    /// <summary>The root address, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What a user types as the connection's hostname, for example <c>127.0.0.1:54321</c>.</summary>
    public string Hostname => $"{BaseAddress.Host}:{BaseAddress.Port}";

    /// <summary>The simulated account, for direct inspection.</summary>
    public SimulatorState State { get; }

    /// <summary>Starts a simulator on the system clock.</summary>
    /// <param name="options">The account's settings; validated, and read once at start.</param>
    /// <param name="url">Where to listen. Port 0 picks a free port (on an IP address, not on <c>localhost</c>).</param>
    /// <param name="ct">Cancels the start.</param>
    public static Task<ActiveCampaignSimulator> StartAsync(SimulatorOptions options, string url = "http://127.0.0.1:0", CancellationToken ct = default) =>
        StartAsync(options, TimeProvider.System, url, ct);

    /// <summary>Starts a simulator whose rate windows and import delay follow <paramref name="timeProvider"/>.</summary>
    /// <param name="options">The account's settings; validated, and read once at start.</param>
    /// <param name="timeProvider">The clock, for example a <c>FakeTimeProvider</c> in tests.</param>
    /// <param name="url">Where to listen. Port 0 picks a free port (on an IP address, not on <c>localhost</c>).</param>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<ActiveCampaignSimulator> StartAsync(
        SimulatorOptions options, TimeProvider timeProvider, string url = "http://127.0.0.1:0", CancellationToken ct = default)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);

        // The empty builder reads no appsettings, environment or Kestrel section: an embedding host's configuration
        // cannot leak into the simulator.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url);
        builder.Services.AddRoutingCore();
        var state = new SimulatorState(options, timeProvider);
        builder.Services.AddSingleton(state);

        var app = builder.Build();
        app.MapActiveCampaignSimulator();
        await app.StartAsync(ct);
        return new ActiveCampaignSimulator(app, new Uri(app.Urls.First().TrimEnd('/') + "/"), state);
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        State.Dispose();
    }
}
