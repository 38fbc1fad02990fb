using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>What an outcome of a leased contact does to its member's flags (<see cref="ShardOutbox.Complete"/>). No Orleans in it.</summary>
public static class OutcomeEffects
{
    public delegate ContactAction? ActionOf(in MemberSlot member);

    /// <param name="actionFor">What ActiveCampaign needs to hear about the member now (<see cref="SendPolicy"/>).</param>
    /// <returns>ActiveCampaign refused the contact for good: the shard records the rejection.</returns>
    public static bool Apply(ref MemberSlot member, ContactOutcome outcome, ActionOf actionFor)
    {
        var refused = false;
        if (outcome.Kind == OutcomeKind.Accepted)
        {
            member.MaybeInAccount = false;
        }

        if (MemberSlot.ContactIdFrom(outcome.ContactId) is var contactId and > 0)
        {
            member.ContactId = contactId;
        }

        switch (outcome.Kind)
        {
            case OutcomeKind.OptedOut:
                OptOutRules.Apply(ref member, ListFactKind.OptedOut);
                break;
            case OutcomeKind.Unconfirmed when outcome.Action is ContactAction.Upsert or ContactAction.Resubscribe:
                // Queued again by the outbox; until an outcome is known, the contact may be on the list.
                member.MaybeInAccount = true;
                break;
            case OutcomeKind.Accepted when outcome.Action == ContactAction.Delete:
                member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc);
                member.AcceptedHash = 0;
                member.ContactId = 0;
                break;
            case OutcomeKind.Failed when member.Erasure == ErasureState.Pending:
                // No rejection keeps an erased profile's email; a failed unsubscribe or delete is not tried again.
                member.Clear(MemberFlags.InRun);
                if (outcome.Action is ContactAction.Unsubscribe or ContactAction.Delete)
                {
                    member.Set(MemberFlags.Failed);
                }

                break;
            case OutcomeKind.Accepted when outcome.Action == ContactAction.Unsubscribe:
                member.Clear(MemberFlags.SubscribedInAc);
                member.Set(MemberFlags.UnsubscribedInAc);
                member.AcceptedHash = 0;
                member.ImportFailures = 0;
                break;
            case OutcomeKind.Accepted:
                member.Clear(MemberFlags.UnsubscribedInAc | MemberFlags.Failed);
                member.Set(MemberFlags.SubscribedInAc);
                member.AcceptedHash = outcome.Hash;
                member.ImportFailures = 0;
                break;
            case OutcomeKind.FailedInImport when outcome.Hash == member.DataHash:
                // Queued again by the outbox; the sender turns it into a final failure after enough tries.
                member.ImportFailures = (byte)Math.Min(byte.MaxValue, member.ImportFailures + 1);
                break;
            case OutcomeKind.Failed:
                // The run counts it as failed; it is not retried until its data changes.
                member.Clear(MemberFlags.InRun);
                if (outcome.Hash == member.DataHash)
                {
                    member.Set(MemberFlags.Failed);
                }

                refused = true;
                break;
        }

        if (outcome.Kind == OutcomeKind.Accepted && member.Has(MemberFlags.InRun))
        {
            // The run is done with this profile only once ActiveCampaign has what it needs now
            // (the profile may have changed, left or re-joined while the contact was in flight).
            member.Clear(MemberFlags.InRun);
            if (actionFor(member) is not null)
            {
                member.Set(MemberFlags.InRun);
            }
        }

        return refused;
    }
}
