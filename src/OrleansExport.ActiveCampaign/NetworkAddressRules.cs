using System.Net;
using System.Net.Sockets;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Tells public internet addresses from the ones an API key must never be sent to: private,
/// loopback, link-local, carrier-grade NAT, multicast, reserved and documentation ranges, and
/// IPv6 forms that embed such an IPv4 address (mapped, NAT64, 6to4) or tunnel to an unknown one (Teredo).
/// </summary>
public static class NetworkAddressRules
{
    private static readonly (byte[] Prefix, int Bits)[] NonPublicV4 =
    [
        ([0, 0, 0, 0], 8),          // "this network"
        ([10, 0, 0, 0], 8),         // private
        ([100, 64, 0, 0], 10),      // carrier-grade NAT
        ([127, 0, 0, 0], 8),        // loopback
        ([169, 254, 0, 0], 16),     // link-local (cloud metadata services live here)
        ([172, 16, 0, 0], 12),      // private
        ([192, 0, 0, 0], 24),       // IETF protocol assignments
        ([192, 0, 2, 0], 24),       // documentation
        ([192, 88, 99, 0], 24),     // 6to4 relay anycast
        ([192, 168, 0, 0], 16),     // private
        ([198, 18, 0, 0], 15),      // benchmarking
        ([198, 51, 100, 0], 24),    // documentation
        ([203, 0, 113, 0], 24),     // documentation
        ([224, 0, 0, 0], 4),        // multicast
        ([240, 0, 0, 0], 4),        // reserved and broadcast
    ];

    private static readonly (byte[] Prefix, int Bits)[] NonPublicV6 =
    [
        ([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64),     // discard-only
        ([0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48), // local-use NAT64 (RFC 8215): translates to addresses we cannot check
        ([0x20, 0x01, 0x0d, 0xb8], 32),           // documentation
        ([0x20, 0x01, 0x00, 0x00], 32),           // Teredo: tunnels to an address we cannot check
        ([0x20, 0x01, 0x00, 0x10], 28),           // ORCHID
        ([0xfc], 7),                              // unique local
        ([0xfe, 0x80], 10),                       // link-local
        ([0xfe, 0xc0], 10),                       // site-local (deprecated)
        ([0xff], 8),                              // multicast
    ];

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>True only for an address on the public internet.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !NonPublicV4.Any(range => InRange(bytes, range.Prefix, range.Bits));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        // ::/96 covers the unspecified address, loopback and the deprecated IPv4-compatible form.
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return false;
        }

        if (bytes.AsSpan(0, 12).SequenceEqual(Nat64Prefix))
        {
            return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsPublic(new IPAddress(bytes.AsSpan(2, 4))); // 6to4 embeds the IPv4 address it reaches
        }

        return !NonPublicV6.Any(range => InRange(bytes, range.Prefix, range.Bits));
    }

    private static bool InRange(byte[] address, byte[] prefix, int bits)
    {
        for (var i = 0; i < bits / 8; i++)
        {
            if (address[i] != prefix[i])
            {
                return false;
            }
        }

        var rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xff << (8 - rest));
        return (address[bits / 8] & mask) == (prefix[bits / 8] & mask);
    }
}
