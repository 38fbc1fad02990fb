namespace OrleansExport.Grains.Runs;

[GenerateSerializer]
public sealed class AccountRunQueueState
{
    [Id(0)] public QueuedRun? Active { get; set; }

    [Id(1)] public List<QueuedRun> Waiting { get; set; } = [];
}
