namespace OrleansExport.Grains.ExportShards;

/// <summary>Applies what ActiveCampaign told about members' contacts (<see cref="OptOutRules"/>) and queues them to see what they need now.</summary>
public sealed class ShardListFacts(ExportShardState state, ShardOutbox outbox)
{
    /// <summary>Applies <paramref name="facts"/>; the grain journals them first. Facts about profiles the shard no longer has are ignored.</summary>
    public void Apply(IReadOnlyList<ListFact> facts)
    {
        foreach (var fact in facts)
        {
            if (state.Members.Find(fact.ProfileId) is var slot and >= 0)
            {
                OptOutRules.Apply(ref state.Members[slot], fact.Kind);
                outbox.MarkDirty(slot);
            }
        }
    }
}
