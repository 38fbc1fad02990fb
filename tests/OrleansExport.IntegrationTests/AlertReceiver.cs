using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// A webhook receiver on loopback (Kestrel, plain HTTP, which AllowInsecureLoopback permits): records every alert
/// posted to <c>/hooks/{name}</c>, and answers 503 to the first <see cref="FailFirst"/> requests to test the retries.
/// </summary>
public sealed class AlertReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private AlertReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Name, string Body)> Received { get; } = new();

    public int FailFirst { get; set; }

    public int Requests => _requests;

    public Uri BaseAddress { get; private set; } = null!;

    public string Url(string name) => new Uri(BaseAddress, $"hooks/{name}").ToString();

    public static async Task<AlertReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new AlertReceiver(app);
        app.MapPost("/hooks/{name}", async (string name, HttpRequest request) =>
        {
            if (Interlocked.Increment(ref receiver._requests) <= receiver.FailFirst)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            using var reader = new StreamReader(request.Body);
            receiver.Received.Enqueue((name, await reader.ReadToEndAsync()));
            return Results.NoContent();
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return receiver;
    }

    /// <summary>The alerts posted to <c>/hooks/{name}</c>, oldest first.</summary>
    public List<JsonElement> Alerts(string name) =>
        Received.Where(r => r.Name == name).Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
