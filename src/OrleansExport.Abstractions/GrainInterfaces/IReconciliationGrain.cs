namespace OrleansExport;

/// <summary>An export's reconciliations with its ActiveCampaign list (key: the export id).</summary>
public interface IReconciliationGrain : IGrainWithStringKey
{
    /// <summary>Starts one; a conflict while a run or another reconciliation of the export goes.</summary>
    Task<OperationResult<ReconciliationView>> StartAsync(string by);

    /// <summary>The export's reconciliations, newest first.</summary>
    Task<IReadOnlyList<ReconciliationView>> ListAsync();

    Task<ReconciliationView?> GetAsync(string reconciliationId);

    /// <summary>The export was deleted: forget its reconciliations.</summary>
    Task ClearAsync();
}
