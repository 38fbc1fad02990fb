namespace OrleansExport.Grains.ExportShards;

/// <summary>Profiles a full run is done with, by how their last contact ended.</summary>
public struct RunTally
{
    public int Sent;
    public int Unsubscribed;
    public int Failed;

    public void Count(ContactOutcome outcome)
    {
        switch (outcome.Kind, outcome.Action)
        {
            case (OutcomeKind.Accepted, ContactAction.Unsubscribe or ContactAction.Delete): Unsubscribed++; break;
            case (OutcomeKind.Accepted, _): Sent++; break;
            case (OutcomeKind.Failed, _): Failed++; break;
        }
    }
}
