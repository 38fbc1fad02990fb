namespace OrleansExport.Grains.Audit;

[GenerateSerializer]
public sealed class AuditState
{
    /// <summary>Oldest first; at most <see cref="AuditGrain.MaxKept"/>.</summary>
    [Id(0)] public List<AuditEntry> Entries { get; set; } = [];
}
