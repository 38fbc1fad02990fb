namespace OrleansExport.Grains.Reconciliations;

[GenerateSerializer]
public sealed class ReconciliationState
{
    /// <summary>Newest last, at most <see cref="ReconciliationGrain.HistoryLength"/>.</summary>
    [Id(0)] public List<ReconciliationView> Reconciliations { get; set; } = [];
}
