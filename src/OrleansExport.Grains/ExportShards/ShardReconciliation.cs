using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// One shard's part in a reconciliation, with no Orleans in it: its members indexed by email once, the pages of the
/// list matched against them (<see cref="OptOutRules.FromListedStatus"/>), and at the end the members nobody saw.
/// Held in memory only: a shard reactivated meanwhile has no record of what it saw, and then resends nothing.
/// </summary>
public sealed class ShardReconciliation
{
    private readonly MemberTable _members;
    private readonly OutcomeEffects.ActionOf _actionFor;
    private readonly Dictionary<string, List<int>> _slotsByEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<int> _seen = [];

    /// <param name="actionFor">What ActiveCampaign needs to hear about a member now (<see cref="SendPolicy"/>).</param>
    public ShardReconciliation(string id, MemberTable members, OutcomeEffects.ActionOf actionFor)
    {
        Id = id;
        _members = members;
        _actionFor = actionFor;
        for (var slot = 0; slot < members.Count; slot++)
        {
            if (members[slot].HasData && members.Email(slot) is { } email)
            {
                Add(_slotsByEmail, email, slot);
            }
        }
    }

    public string Id { get; }

    /// <summary>
    /// Which of <paramref name="emails"/> this shard holds, and what their <paramref name="status"/> on the list tells. The
    /// members matched learn their contact id (<paramref name="contactIds"/>, in the same order).
    /// </summary>
    public (bool[] Matched, List<ListFact> Facts) Read(ContactListStatus status, IReadOnlyList<string> emails, IReadOnlyList<string> contactIds)
    {
        var matched = new bool[emails.Count];
        var facts = new List<ListFact>();
        for (var i = 0; i < emails.Count; i++)
        {
            if (!_slotsByEmail.TryGetValue(emails[i], out var slots))
            {
                continue;
            }

            matched[i] = true;
            var contactId = MemberSlot.ContactIdFrom(contactIds[i]);
            foreach (var slot in slots)
            {
                _seen.Add(slot);
                if (contactId > 0)
                {
                    _members[slot].ContactId = contactId;
                }

                if (OptOutRules.FromListedStatus(_members[slot], status, IsBeingUnsubscribed(_members[slot])) is { } fact)
                {
                    facts.Add(new ListFact(_members.ProfileId(slot), fact));
                }
            }
        }

        return (matched, facts);
    }

    /// <summary>A member that left whose unsubscribe is in flight (a left member's lease is one) or waits to go out.</summary>
    private bool IsBeingUnsubscribed(in MemberSlot member) =>
        !member.IsMember && (member.Has(MemberFlags.Leased) || _actionFor(member) is ContactAction.Unsubscribe);

    /// <summary>Members the export had subscribed that no status of the list holds: deleted in the app, to be sent again.</summary>
    public List<ListFact> Missing()
    {
        var missing = new List<ListFact>();
        foreach (var slots in _slotsByEmail.Values)
        {
            foreach (var slot in slots)
            {
                if (!_seen.Contains(slot) && OptOutRules.IsMissing(_members[slot]))
                {
                    missing.Add(new ListFact(_members.ProfileId(slot), ListFactKind.Missing));
                }
            }
        }

        return missing;
    }

    /// <summary>What a webhook about <paramref name="email"/> tells about the members with that email.</summary>
    public static List<ListFact> FromWebhook(MemberTable members, string email, ListSignal signal)
    {
        var facts = new List<ListFact>();
        for (var slot = 0; slot < members.Count; slot++)
        {
            if (members[slot].HasData && string.Equals(members.Email(slot), email, StringComparison.OrdinalIgnoreCase)
                && OptOutRules.FromWebhook(members[slot], signal) is { } fact)
            {
                facts.Add(new ListFact(members.ProfileId(slot), fact));
            }
        }

        return facts;
    }

    private static void Add(Dictionary<string, List<int>> index, string email, int slot)
    {
        if (!index.TryGetValue(email, out var slots))
        {
            index[email] = slots = new List<int>(1);
        }

        slots.Add(slot);
    }
}
