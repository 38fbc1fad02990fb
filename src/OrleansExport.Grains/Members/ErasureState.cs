namespace OrleansExport.Grains.Members;

/// <summary>Where an erased profile is (right to erasure) in an export shard.</summary>
public enum ErasureState : byte
{
    None,
    /// <summary>Erased upstream: its contact is still to be unsubscribed or deleted, so its mapped data is kept until then.</summary>
    Pending,
    /// <summary>Its data is forgotten: only the slot's clock remains, so that older events do not bring it back.</summary>
    Done,
}
