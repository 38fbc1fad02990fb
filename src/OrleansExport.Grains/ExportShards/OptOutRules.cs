using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>What ActiveCampaign told about a member's contact on the export's list, as the shard journals it.</summary>
public enum ListFactKind : byte
{
    /// <summary>Unsubscribed or bounced by someone other than OrleansExport: never subscribed again.</summary>
    OptedOut,

    /// <summary>The person subscribed again in ActiveCampaign: the opt-out is lifted.</summary>
    Lifted,

    /// <summary>A contact the export had subscribed is on the list no more (deleted in the app): sent again.</summary>
    Missing,
}

/// <summary>One fact about one member, learned from a webhook, a reconciliation or an answer of the contact API.</summary>
[GenerateSerializer, Immutable]
public sealed record ListFact([property: Id(0)] string ProfileId, [property: Id(1)] ListFactKind Kind);

/// <summary>
/// A person's choice is final: the rules of opting out, with no Orleans in them. A contact unsubscribed or bounced by
/// anyone but OrleansExport is opted out; OrleansExport never sets it back to subscribed. Only ActiveCampaign telling
/// that the person subscribed again lifts it. Opt-outs are per list: a list change forgets them.
/// </summary>
public static class OptOutRules
{
    /// <summary>
    /// Whether a contact may be set to status 1 given its status on the list now. Only an unsubscribe OrleansExport made
    /// itself (<paramref name="unsubscribedByExport"/>, and ActiveCampaign says it came through the API) may be undone;
    /// a bounce, or an unsubscribe nobody can attribute to OrleansExport, is the person's choice.
    /// </summary>
    public static bool MaySubscribe(ListStatusLookup status, bool unsubscribedByExport) => status switch
    {
        ListStatusLookup.OnList { Status: ContactListStatus.Bounced } => false,
        ListStatusLookup.OnList { Status: ContactListStatus.Unsubscribed } on => unsubscribedByExport && on.SetThroughApi,
        _ => true,
    };

    /// <summary>Whether the status on the list is a bounce, or an unsubscribe that did not come through the API: the person's choice.</summary>
    public static bool IsOptedOut(ListStatusLookup status) =>
        status is ListStatusLookup.OnList { Status: ContactListStatus.Bounced } or ListStatusLookup.OnList { Status: ContactListStatus.Unsubscribed, SetThroughApi: false };

    /// <summary>What an opted-out profile's contact still needs: nothing, unless its erasure deletes the contact.</summary>
    public static ContactAction? ActionWhenOptedOut(in MemberSlot member, EraseAction onErase) =>
        member.Erasure == ErasureState.Pending && onErase == EraseAction.Delete ? ContactAction.Delete : null;

    /// <summary>
    /// The fact a webhook tells about a member, if it changes anything. Webhooks are registered for every source but the
    /// API, so an unsubscribe they report is never OrleansExport's own.
    /// </summary>
    public static ListFactKind? FromWebhook(in MemberSlot member, ListSignal signal) => signal switch
    {
        ListSignal.Unsubscribed or ListSignal.Bounced when !member.Has(MemberFlags.OptedOut) => ListFactKind.OptedOut,
        ListSignal.Subscribed when member.Has(MemberFlags.OptedOut) || member.Has(MemberFlags.UnsubscribedInAc) => ListFactKind.Lifted,
        _ => null,
    };

    /// <summary>
    /// The fact a reconciliation's read of the list tells about a member found there with <paramref name="status"/>.
    /// Status 2 on a contact OrleansExport unsubscribed itself is its own doing, and so is status 2 on a member that left
    /// while OrleansExport is unsubscribing it (<paramref name="unsubscribing"/>: in flight, or its answer lost and the
    /// unsubscribe queued again); the contact API checks who set it before any re-subscribe.
    /// </summary>
    public static ListFactKind? FromListedStatus(in MemberSlot member, ContactListStatus status, bool unsubscribing = false) => status switch
    {
        ContactListStatus.Active when member.Has(MemberFlags.OptedOut) => ListFactKind.Lifted,
        ContactListStatus.Unsubscribed when !member.Has(MemberFlags.OptedOut) && !member.Has(MemberFlags.UnsubscribedInAc) && !unsubscribing => ListFactKind.OptedOut,
        ContactListStatus.Bounced when !member.Has(MemberFlags.OptedOut) => ListFactKind.OptedOut,
        _ => null,
    };

    /// <summary>A member a reconciliation did not find on the list in any status: missing if the export had subscribed it.</summary>
    public static bool IsMissing(in MemberSlot member) =>
        member.IsMember && member.Has(MemberFlags.SubscribedInAc) && !member.Has(MemberFlags.OptedOut) && !member.Has(MemberFlags.Leased);

    /// <summary>Applies one fact to a member's flags; the caller queues the member to see what it needs now.</summary>
    public static void Apply(ref MemberSlot member, ListFactKind fact)
    {
        switch (fact)
        {
            case ListFactKind.OptedOut:
                member.Set(MemberFlags.OptedOut);
                member.Clear(MemberFlags.InRun | MemberFlags.Failed);
                member.ImportFailures = 0;
                break;

            case ListFactKind.Lifted:
                member.Clear(MemberFlags.OptedOut | MemberFlags.UnsubscribedInAc);

                // Subscribed by the person: data updates may follow, but a profile that left is not unsubscribed for it.
                if (member.IsMember)
                {
                    member.Set(MemberFlags.SubscribedInAc);
                }
                else
                {
                    member.Clear(MemberFlags.SubscribedInAc);
                }

                break;

            case ListFactKind.Missing:
                // Deleted in the app: the contact the export knew is gone, and its id with it.
                member.Clear(MemberFlags.SubscribedInAc | MemberFlags.UnsubscribedInAc);
                member.AcceptedHash = 0;
                member.ContactId = 0;
                break;
        }
    }
}
