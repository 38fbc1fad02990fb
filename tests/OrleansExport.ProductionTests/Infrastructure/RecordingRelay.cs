using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OrleansExport.ProductionTests.Infrastructure;

/// <summary>
/// A TCP relay on a loopback port that forwards every connection to one target and keeps every byte it
/// carries, each direction of each connection apart: what anyone on the wire between the two would see.
/// </summary>
public sealed class RecordingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Recorded> _streams = new();
    private readonly Task _accepting;

    public RecordingRelay(int port, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>What crossed so far: per connection and direction, whether it was towards the target, and the bytes.</summary>
    public IReadOnlyList<(bool TowardsTarget, byte[] Bytes)> Streams() => [.. _streams.Select(s => (s.TowardsTarget, s.Snapshot()))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var _ = inbound;
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PumpAsync(inbound.GetStream(), outbound.GetStream(), towardsTarget: true), PumpAsync(outbound.GetStream(), inbound.GetStream(), towardsTarget: false));
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away: so does the relayed connection.
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool towardsTarget)
    {
        var recorded = new Recorded(towardsTarget);
        _streams.Enqueue(recorded);
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                recorded.Append(buffer.AsSpan(0, read));
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class Recorded(bool towardsTarget)
    {
        private readonly MemoryStream _bytes = new();

        public bool TowardsTarget => towardsTarget;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            lock (_bytes)
            {
                _bytes.Write(bytes);
            }
        }

        public byte[] Snapshot()
        {
            lock (_bytes)
            {
                return _bytes.ToArray();
            }
        }
    }
}
