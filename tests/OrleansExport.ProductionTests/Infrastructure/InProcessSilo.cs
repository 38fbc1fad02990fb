using Microsoft.AspNetCore.Builder;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>The real host (<see cref="SiloApp"/>) started in the test process, on a port the OS picks.</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessSilo(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="configure">Runs on the host builder before the host's own registrations (as <see cref="SiloApp.Build"/> allows).</param>
    public static async Task<InProcessSilo> StartAsync(SiloSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var app = SiloApp.Build(settings.ToArguments(), configure);
        await app.StartAsync();
        return new InProcessSilo(app);
    }

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
