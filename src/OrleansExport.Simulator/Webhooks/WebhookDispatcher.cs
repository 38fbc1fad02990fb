using System.Collections.Concurrent;
using System.Threading.Channels;

namespace OrleansExport.Simulator;

/// <summary>
/// Posts webhook deliveries in the background, best effort, as ActiveCampaign does: one attempt each, several at once,
/// nothing retried. The faults <see cref="SimulatorFaults.WebhookDropRate"/> and <see cref="SimulatorFaults.WebhookDelay"/>
/// lose or hold them back. Any URL is allowed, loopback included: the simulator serves tests.
/// </summary>
internal sealed class WebhookDispatcher : IDisposable
{
    /// <summary>How many of the latest deliveries <see cref="Deliveries"/> keeps.</summary>
    public const int KeptDeliveries = 1000;

    private const int MaxConcurrentDeliveries = 8;

    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<SimWebhookDelivery> _log = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentDeliveries);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly FaultInjector _faults;
    private readonly TimeProvider _time;
    private long _generation; // a reset forgets what was queued before it

    public WebhookDispatcher(FaultInjector faults, TimeProvider time)
    {
        _faults = faults;
        _time = time;
        _ = Task.Run(PumpAsync);
    }

    public void Enqueue(WebhookRecord webhook, IReadOnlyList<KeyValuePair<string, string>> form) =>
        _queue.Writer.TryWrite(new Delivery(webhook, form, Interlocked.Read(ref _generation)));

    public IReadOnlyList<SimWebhookDelivery> Deliveries() => [.. _log];

    public void Reset()
    {
        Interlocked.Increment(ref _generation);
        _log.Clear();
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _http.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                await _slots.WaitAsync(_stopping.Token);
                _ = DeliverAsync(delivery);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task DeliverAsync(Delivery delivery)
    {
        try
        {
            if (_faults.DropWebhook())
            {
                Record(delivery, "dropped", null);
                return;
            }

            if (_faults.Faults.WebhookDelay is { Ticks: > 0 } delay)
            {
                await Task.Delay(delay, _stopping.Token);
            }

            if (delivery.Generation != Interlocked.Read(ref _generation))
            {
                return;
            }

            using var content = new FormUrlEncodedContent(delivery.Form);
            using var response = await _http.PostAsync(delivery.Webhook.Url, content, _stopping.Token);
            Record(delivery, response.IsSuccessStatusCode ? "delivered" : "refused", (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed: what was in flight is lost, as deliveries may be.
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            Record(delivery, "failed", null);
        }
        finally
        {
            _slots.Release();
        }
    }

    private void Record(Delivery delivery, string outcome, int? statusCode)
    {
        var form = delivery.Form.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        _log.Enqueue(new SimWebhookDelivery(delivery.Webhook.Id, form["type"], form["list"], form["contact[email]"], outcome, statusCode, _time.GetUtcNow()));
        while (_log.Count > KeptDeliveries && _log.TryDequeue(out _))
        {
        }
    }

    private sealed record Delivery(WebhookRecord Webhook, IReadOnlyList<KeyValuePair<string, string>> Form, long Generation);
}
