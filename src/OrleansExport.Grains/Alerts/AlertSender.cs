using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansExport.ActiveCampaign;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansExport.Grains.Alerts;

/// <summary>Hands an alert over for delivery; returns at once, so a grain never waits for a webhook.</summary>
public interface IAlertSender
{
    void Enqueue(string webhook, ExportAlert alert);
}

/// <summary>
/// Posts alerts to webhooks from a bounded in-memory queue, several at a time, each retried with jittered
/// exponential backoff (<see cref="MaxAttempts"/> attempts at most) while the receiver fails or cannot be reached.
/// Its HttpClient connects through <see cref="HostAddressGuard"/> (no private address) and follows no redirect.
/// Logs name the webhook's host only: the rest of its URL may hold the receiver's token.
/// </summary>
public sealed partial class AlertSender(IHttpClientFactory httpClients, TimeProvider time, ILogger<AlertSender> logger) : BackgroundService, IAlertSender
{
    public const string HttpClientName = "alerts";
    public const int MaxAttempts = 5;
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private const int QueueLength = 1000;
    private const int Concurrency = 4;

    private readonly Channel<(string Webhook, ExportAlert Alert)> _queue = Channel.CreateBounded<(string, ExportAlert)>(
        new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = RetryBaseDelay,
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>(e => e.InnerException is not HostAddressRefusedException)
                .Handle<TimeoutRejectedException>()
                .HandleResult(response => (int)response.StatusCode is 408 or 429 or >= 500),
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return default;
            },
        })
        .AddTimeout(AttemptTimeout)
        .Build();

    public void Enqueue(string webhook, ExportAlert alert) => _queue.Writer.TryWrite((webhook, alert));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(Concurrency);
        try
        {
            await foreach (var (webhook, alert) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await DeliverAsync(webhook, alert, stoppingToken);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(string webhook, ExportAlert alert, CancellationToken cancellationToken)
    {
        var host = new Uri(webhook).Host;
        var client = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async token => await client.PostAsJsonAsync(webhook, alert, token), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                LogDelivered(alert.Event, alert.ExportId, host);
            }
            else
            {
                LogRefused(alert.Event, alert.ExportId, host, (int)response.StatusCode);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotDelivered(alert.Event, alert.ExportId, host, MaxAttempts, exception.InnerException?.Message ?? exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Event} of export {ExportId} delivered to {Host}")]
    private partial void LogDelivered(string @event, string exportId, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Event} of export {ExportId} refused by {Host}: HTTP {Status}")]
    private partial void LogRefused(string @event, string exportId, string host, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Event} of export {ExportId} could not be delivered to {Host} after {Attempts} attempts: {Error}")]
    private partial void LogNotDelivered(string @event, string exportId, string host, int attempts, string error);
}
