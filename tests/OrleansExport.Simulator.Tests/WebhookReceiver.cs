using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansExport.Simulator.Tests;

/// <summary>An HTTP server on a free loopback port that records every form posted to it, and the path it was posted to.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<(string Path, string ContentType, Dictionary<string, string> Form)> _received = Channel.CreateUnbounded<(string, string, Dictionary<string, string>)>();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First().TrimEnd('/');

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            receiver._received.Writer.TryWrite((context.Request.Path.Value!, context.Request.ContentType ?? "", form.ToDictionary(f => f.Key, f => f.Value.ToString())));
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next delivery, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<(string Path, string ContentType, Dictionary<string, string> Form)> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>Whether anything arrived within <paramref name="wait"/>.</summary>
    public async Task<bool> ReceivesAnyAsync(TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await _received.Reader.WaitToReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
