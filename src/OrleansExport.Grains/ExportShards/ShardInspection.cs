using System.Globalization;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// What an export shard tells without changing anything: its share of what the mass-unsubscribe guard weighs
/// (<see cref="UnsubscribeGuard"/>), what it would send (<see cref="SendPreviewBuilder"/>) and one member's story
/// (<see cref="MemberStories"/>).
/// </summary>
public sealed class ShardInspection(ExportShardState state, ShardOutbox outbox)
{
    private MemberTable Members => state.Members;

    private ShardConfig Config => state.Config ?? throw new InvalidOperationException("The shard has not been configured.");

    /// <summary>
    /// This shard's share of what the guard weighs: the waiting unsubscribes (<see cref="ShardOutbox.CountHoldable"/>) and,
    /// with <paramref name="countSubscribed"/>, a scan of every member for those subscribed in the list (the export asks
    /// for them only once more than <see cref="UnsubscribeGuard.MinimumHeld"/> wait).
    /// </summary>
    public UnsubscribeFigures UnsubscribeFigures(bool countSubscribed)
    {
        long subscribed = 0;
        for (var slot = 0; countSubscribed && slot < Members.Count; slot++)
        {
            subscribed += Members[slot].Has(MemberFlags.SubscribedInAc) ? 1 : 0;
        }

        return new UnsubscribeFigures(outbox.CountHoldable(), subscribed);
    }

    /// <summary>What this shard would send now, or with <paramref name="asRun"/> what a full run starting now would send.</summary>
    public SendPreview Preview(bool asRun, bool holding)
    {
        var preview = new SendPreviewBuilder(holding);
        for (var slot = 0; slot < Members.Count; slot++)
        {
            // A copy: a run is only imagined.
            var member = Members[slot];
            if (member.Has(MemberFlags.Leased))
            {
                continue;
            }

            if (asRun)
            {
                member.Clear(MemberFlags.Failed);
                member.Set(MemberFlags.InRun);
            }

            if (outbox.ActionFor(member) is not { } action)
            {
                continue;
            }

            var name = preview.Count(action, member.Has(MemberFlags.SubscribedInAc), UnsubscribeGuard.IsHoldable(member, action));
            if (preview.WantsExample)
            {
                preview.AddExample(new PreviewExample(Members.ProfileId(slot), Members.Email(slot), name));
            }
        }

        // The old addresses of members whose email changed are unsubscribed too, whatever the guard holds (RetiredAddresses).
        foreach (var address in state.RetiredAddresses?.Where(address => !address.Leased) ?? [])
        {
            preview.Count(ContactAction.Unsubscribe, alreadySubscribed: true, holdable: false);
            preview.AddExample(new PreviewExample(address.ProfileId, address.Email, "unsubscribe"));
        }

        return preview.Build();
    }

    /// <summary>The profile's story, or null when this shard never held it.</summary>
    public MemberStory? Story(string profileId) => Members.Find(profileId) is var slot and >= 0 ? StoryOf(slot) : null;

    /// <summary>
    /// The story of the profile whose mapped email is <paramref name="email"/> (any case), newest change first: a scan of
    /// the shard's members, then of its kept rejections (a join refused for its email keeps no data).
    /// </summary>
    public MemberStory? FindByEmail(string email)
    {
        var found = -1;
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (string.Equals(Members.Email(slot), email, StringComparison.OrdinalIgnoreCase)
                && (found < 0 || Members[slot].LastOccurredTicks > Members[found].LastOccurredTicks))
            {
                found = slot;
            }
        }

        if (found < 0 && state.RecentRejections.LastOrDefault(r => string.Equals(r.Email, email, StringComparison.OrdinalIgnoreCase)) is { } rejection)
        {
            found = Members.Find(rejection.ProfileId);
        }

        return found >= 0 ? StoryOf(found) : null;
    }

    private MemberStory StoryOf(int slot)
    {
        ref readonly var member = ref Members[slot];
        var profileId = Members.ProfileId(slot);
        var desired = member.Has(MemberFlags.Leased) ? null : outbox.ActionFor(member);
        var memberState = MemberStories.StateOf(member, desired);
        var rejection = state.RecentRejections.LastOrDefault(r => r.ProfileId == profileId);
        var mask = member.SegmentMask;
        var segments = Config.SegmentIds.Where((_, i) => i < 64 && (mask & (1UL << i)) != 0).ToList();
        return new MemberStory(profileId, Members.Email(slot) ?? (memberState == MemberState.Erased ? null : rejection?.Email), memberState, segments,
            member.ContactId > 0 && memberState != MemberState.Erased ? member.ContactId.ToString(CultureInfo.InvariantCulture) : null,
            member.LastOccurredTicks > 0 ? new DateTimeOffset(member.LastOccurredTicks, TimeSpan.Zero) : null,
            memberState == MemberState.Erased ? null : MemberClock.FromSeconds(member.LastAcceptedSeconds),
            MemberStories.Reason(memberState, desired, rejection, outbox.IsHeld(slot), Config.OnLeave, member.MaybeInAccount));
    }
}
