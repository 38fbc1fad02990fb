using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansExport.ActiveCampaign;

/// <summary>Resolves a host name to its addresses; replaceable so that tests need no real DNS.</summary>
public interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver.</summary>
public sealed class SystemHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A connection was refused because the host resolved to an address that may not be contacted.</summary>
public sealed class HostAddressRefusedException(string host, IPAddress address)
    : Exception($"ActiveCampaign host {host} resolves to {address}, a private, local or reserved network address; only public addresses may be contacted.");

/// <summary>
/// The ActiveCampaign HttpClient's connect step (<see cref="SocketsHttpHandler.ConnectCallback"/>):
/// resolves the host itself, refuses it unless every address is public, and connects to exactly the
/// addresses it checked. Running at every new connection, it also defeats DNS rebinding (a name that
/// answers a public address at validation and a private one later). Loopback addresses are allowed
/// only for the loopback host names that <see cref="ActiveCampaignOptions.AllowInsecureLoopback"/> permits.
/// </summary>
public sealed class HostAddressGuard(IHostAddressResolver resolver, IOptions<ActiveCampaignOptions> options)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await CheckAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of <paramref name="host"/> that may be contacted; throws <see cref="HostAddressRefusedException"/> when any may not.</summary>
    public async Task<IPAddress[]> CheckAsync(string host, int port, CancellationToken cancellationToken)
    {
        var bare = host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(bare, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(bare, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        var loopbackAllowed = options.Value.AllowInsecureLoopback
            && HostnameRules.IsLoopbackHost(literal is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{bare}]:{port}" : $"{bare}:{port}");
        foreach (var address in addresses)
        {
            if (!NetworkAddressRules.IsPublic(address) && !(loopbackAllowed && IPAddress.IsLoopback(address)))
            {
                throw new HostAddressRefusedException(host, address);
            }
        }

        return addresses;
    }
}
