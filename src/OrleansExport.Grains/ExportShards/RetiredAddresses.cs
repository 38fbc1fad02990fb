using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>An address a member had before its mapped email changed, whose contact may still be on the list.</summary>
[GenerateSerializer]
public sealed class RetiredAddress
{
    [Id(0)] public string ProfileId { get; set; } = "";

    [Id(1)] public string Email { get; set; } = "";

    /// <summary>Handed to the sender; its outcome has not come back yet.</summary>
    [Id(2)] public bool Leased { get; set; }

    /// <summary>Identifies the unsubscribe's outcome (which carries the profile id, so that it reaches this shard).</summary>
    public ulong Hash => ProfileHash.Of(Email) | 1;
}

/// <summary>
/// When a member's mapped email changes, the contact at the old address is unsubscribed, whatever onLeave says: the
/// export no longer holds that address, so it must not stay on the list. The unsubscribe goes out as a contact of its
/// own (the member's profile id, the old address, <see cref="RetiredAddress.Hash"/>), once no send of the old address
/// is in flight; an accepted, refused or opted-out one is done, any other outcome queues it again.
/// </summary>
public sealed class RetiredAddresses(ExportShardState state)
{
    private List<RetiredAddress> Addresses => state.RetiredAddresses ??= [];

    public int Pending => state.RetiredAddresses?.Count(address => !address.Leased) ?? 0;

    public void Retire(string profileId, string email)
    {
        if (!Addresses.Any(address => address.ProfileId == profileId && string.Equals(address.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            Addresses.Add(new RetiredAddress { ProfileId = profileId, Email = email });
        }
    }

    /// <summary>The member has this address again: unsubscribing it would take the member off the list (unless already sent).</summary>
    public void Unretire(string profileId, string email) =>
        state.RetiredAddresses?.RemoveAll(address => !address.Leased && address.ProfileId == profileId && string.Equals(address.Email, email, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Adds unsubscribes of retired addresses to <paramref name="taken"/>, up to <paramref name="max"/> contacts in all;
    /// not while the member is in flight (that send may still be of the old address). Taken before the members are.
    /// </summary>
    public void Take(List<OutgoingContact> taken, int max, Func<string, bool> memberInFlight)
    {
        if (state.RetiredAddresses is null)
        {
            return;
        }

        foreach (var address in state.RetiredAddresses)
        {
            if (taken.Count >= max)
            {
                return;
            }

            if (!address.Leased && !memberInFlight(address.ProfileId))
            {
                address.Leased = true;
                taken.Add(new OutgoingContact(address.ProfileId, ContactAction.Unsubscribe, new ContactData(address.Email, null, null, null, []), address.Hash,
                    AlreadySubscribed: true, InRun: false));
            }
        }
    }

    /// <summary>True when <paramref name="outcome"/> answers the unsubscribe of a retired address (leased or not: after a crash the lease may be lost).</summary>
    public bool Owns(ContactOutcome outcome) => Find(outcome) is not null;

    /// <returns>false when the outcome is not about a retired address.</returns>
    public bool TryComplete(ContactOutcome outcome)
    {
        if (Find(outcome) is not { } address)
        {
            return false;
        }

        // Opted out: the old address is bounced or unsubscribed by the person already, and needs no unsubscribe.
        if (outcome.Kind is OutcomeKind.Accepted or OutcomeKind.Failed or OutcomeKind.OptedOut)
        {
            Addresses.Remove(address);
        }
        else
        {
            address.Leased = false;
        }

        return true;
    }

    public void ReleaseLeases() => state.RetiredAddresses?.ForEach(address => address.Leased = false);

    /// <summary>The export sends to another list now: the retired addresses were on the old one.</summary>
    public void Clear() => state.RetiredAddresses = null;

    private RetiredAddress? Find(ContactOutcome outcome) =>
        outcome.Action == ContactAction.Unsubscribe
            ? state.RetiredAddresses?.FirstOrDefault(address => address.ProfileId == outcome.ProfileId && address.Hash == outcome.Hash)
            : null;
}
