using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OrleansExport.Silo.Hosting;

/// <summary>What the host prints once at start: where it listens and, in Development, the generated admin key.</summary>
public sealed record StartupNotice(string? GeneratedAdminKey);

public sealed class StartupNoticePrinter(StartupNotice notice, HostSettings settings, IServer server, IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"OrleansExport is listening on {string.Join(", ", addresses)}");
            if (settings.Upgrade.WritePreviousFormats)
            {
                // The operator replacing old silos looks for this line: a mistyped key would leave the new formats on.
                Console.WriteLine("Upgrade:WritePreviousFormats is on: shard journals are written uncompressed and event batches in version 2, as the version before reads them.");
            }

            if (notice.GeneratedAdminKey is { } key)
            {
                // Our own admin key (not an ActiveCampaign key), generated because none is configured; shown once.
                Console.WriteLine($"Generated admin API key (Development only, shown once): {key}");
                Console.WriteLine($"  try: curl -H \"Authorization: Bearer {key}\" {addresses.FirstOrDefault()}/api/exports");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
