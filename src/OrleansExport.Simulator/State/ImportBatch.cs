namespace OrleansExport.Simulator;

/// <summary>A queued bulk import and, once applied, its per-contact outcome.</summary>
internal sealed class ImportBatch(string id, IReadOnlyList<BulkImportContact> contacts, long dueTimestamp)
{
    public string Id { get; } = id;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> value from which the batch may be applied.</summary>
    public long DueTimestamp { get; } = dueTimestamp;

    /// <summary>The contacts still to apply; dropped once applied so that completed batches stay small.</summary>
    public IReadOnlyList<BulkImportContact>? Pending { get; private set; } = contacts;

    public bool IsCompleted => Pending is null;

    public int[] SucceededContactIds { get; private set; } = [];

    public string[] FailedEmails { get; private set; } = [];

    public void Complete(int[] succeededContactIds, string[] failedEmails)
    {
        SucceededContactIds = succeededContactIds;
        FailedEmails = failedEmails;
        Pending = null;
    }
}
