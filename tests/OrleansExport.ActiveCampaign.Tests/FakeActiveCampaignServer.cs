using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>A request as the stand-in server received it.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? ApiToken, string Body, TimeSpan At);

/// <summary>
/// Kestrel on 127.0.0.1 that answers with scripted responses, in order, and records what it
/// received. Unscripted requests get 200 <c>{}</c>.
/// </summary>
public sealed class FakeActiveCampaignServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> script = new();
    private readonly ConcurrentQueue<ReceivedRequest> requests = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private FakeActiveCampaignServer(WebApplication app) => this.app = app;

    public string Hostname { get; private set; } = "";

    public IReadOnlyList<ReceivedRequest> Requests => [.. requests];

    public static async Task<FakeActiveCampaignServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new FakeActiveCampaignServer(builder.Build());
        server.app.Run(server.HandleAsync);
        await server.app.StartAsync();
        var address = server.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Hostname = $"127.0.0.1:{new Uri(address).Port}";
        return server;
    }

    /// <summary>
    /// Scripts the next answer. A <paramref name="delay"/> of <see cref="Timeout.InfiniteTimeSpan"/> never answers:
    /// the handler waits until the client gives up on the request.
    /// </summary>
    public FakeActiveCampaignServer Respond(int status, string json = "{}", Action<IHeaderDictionary>? headers = null, TimeSpan delay = default, string contentType = "application/json")
    {
        script.Enqueue(async context =>
        {
            if (delay != TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            context.Response.StatusCode = status;
            headers?.Invoke(context.Response.Headers);
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(json);
        });
        return this;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        requests.Enqueue(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers["Api-Token"].SingleOrDefault(),
            body,
            clock.Elapsed));

        if (script.TryDequeue(out var respond))
        {
            await respond(context);
        }
        else
        {
            await context.Response.WriteAsync("{}");
        }
    }
}
