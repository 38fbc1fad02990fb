using System.Net;
using System.Net.Sockets;

namespace OrleansExport.TestSupport;

/// <summary>Ports for silo-to-silo and gateway endpoints, which cannot be bound to port 0.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
