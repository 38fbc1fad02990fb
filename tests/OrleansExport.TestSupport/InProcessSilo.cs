using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.TestSupport;

/// <summary>The real host (<see cref="SiloApp"/>: Orleans silo, HTTP API, console) started in this process on a loopback port the OS picks.</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessSilo(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Builds the host from <paramref name="settings"/> (plus <c>urls</c> on loopback port 0 unless set) and starts it.
    /// <paramref name="configure"/> sees the builder before the host's own registrations, e.g. to capture logs.
    /// </summary>
    public static async Task<InProcessSilo> StartAsync(
        IEnumerable<KeyValuePair<string, string?>> settings, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var app = SiloApp.Build(all.ToArguments(), configure);
        await app.StartAsync(cancellationToken);
        return new InProcessSilo(app);
    }

    public Task WaitUntilReadyAsync(TimeSpan? timeout = null) => Readiness.WaitAsync(BaseAddress, timeout ?? Eventually.DefaultTimeout);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
