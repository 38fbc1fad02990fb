namespace OrleansExport.Silo.Hosting;

/// <summary>
/// When the cluster declares a silo dead, an export whose grain lived there has no delivery loop until something
/// calls it, and its reminder fires a minute or more later. Each surviving silo then wakes every export
/// (<see cref="IExportGrain.KeepDeliveringAsync"/>): a call to an active one costs nothing, the others activate on a
/// survivor, release the dead sender's leases, recover their shards and send again.
/// </summary>
public sealed partial class ExportWakeOnSiloLoss(IClusterMembershipService membership, IGrainFactory grains, ILogger<ExportWakeOnSiloLoss> logger)
    : BackgroundService
{
    private const int WakeAttempts = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Only a silo seen alive counts: the table keeps the dead of earlier runs.
        var seenActive = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var lost = false;
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Active)
                    {
                        seenActive.Add(member.SiloAddress);
                    }
                    else if (member.Status == SiloStatus.Dead && seenActive.Remove(member.SiloAddress))
                    {
                        LogSiloLost(member.SiloAddress);
                        lost = true;
                    }
                }

                if (lost)
                {
                    await WakeExportsAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WakeExportsAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; attempt <= WakeAttempts; attempt++)
        {
            try
            {
                var exports = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListExportsAsync();
                await Task.WhenAll(exports.Select(id => grains.GetGrain<IExportGrain>(id).KeepDeliveringAsync()));
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Right after the declaration some calls may still be routed to the dead silo; the reminders remain behind this.
                LogWakeFailed(attempt, exception.GetType().Name);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} was declared dead: waking the exports")]
    private partial void LogSiloLost(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking the exports after a silo loss failed (attempt {Attempt}): {Error}")]
    private partial void LogWakeFailed(int attempt, string error);
}
