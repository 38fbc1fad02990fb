using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// What one export shard decides, with no Orleans in it, over its one <see cref="ExportShardState"/>: the parts
/// below each keep one concern, and this class is what the grain calls. Changes from segments go through
/// <see cref="ShardEventRules"/>; what to send is <see cref="SendPolicy"/>; waiting, leased and completed contacts
/// are the <see cref="ShardOutbox"/>; the cap's slots are <see cref="ShardCapacity"/>; full runs are
/// <see cref="ShardRuns"/>; rejections are the <see cref="RejectionLog"/>; what ActiveCampaign told about contacts (opt-outs) is
/// <see cref="ShardListFacts"/>; counters are <see cref="ShardReport"/>; the
/// mass-unsubscribe guard's figures, the send preview and member stories are <see cref="ShardInspection"/>.
/// A changed definition (<see cref="Configure"/>) touches several of them, so it is here.
/// </summary>
public sealed class ExportShardRules
{
    private readonly ExportShardState _state;
    private readonly ShardOutbox _outbox;
    private readonly ShardCapacity _capacity;
    private readonly RejectionLog _rejections;
    private readonly ShardEventRules _events;
    private readonly ShardRuns _runs;
    private readonly ShardInspection _inspection;
    private readonly ShardListFacts _listFacts;
    private ShardReconciliation? _reconciliation;

    public ExportShardRules(ExportShardState state, TimeProvider time)
    {
        _state = state;
        _rejections = new RejectionLog(state, time);
        var retired = new RetiredAddresses(state);
        _outbox = new ShardOutbox(state, time, _rejections, retired);
        _capacity = new ShardCapacity(state);
        _events = new ShardEventRules(state, _outbox, _capacity, _rejections, retired);
        _runs = new ShardRuns(state, _outbox);
        Deliveries = new DeliveryWatermark(state);
        _inspection = new ShardInspection(state, _outbox);
        _listFacts = new ShardListFacts(state, _outbox);
    }

    public ExportShardState State => _state;

    private MemberTable Members => _state.Members;

    /// <inheritdoc cref="ShardOutbox.PendingEstimate"/>
    public int PendingEstimate => _outbox.PendingEstimate;

    /// <inheritdoc cref="ShardEventRules.CountPotentialNewMembers"/>
    public int CountPotentialNewMembers(IReadOnlyList<SegmentEvent> events) => _events.CountPotentialNewMembers(events);

    /// <inheritdoc cref="ShardCapacity.ReleaseFreed"/>
    public long ReleaseFreedCapacity() => _capacity.ReleaseFreed();

    public void AddCapacity(long slots) => _capacity.Add(slots);

    public ShardApplyResult Apply(IReadOnlyList<SegmentEvent> events) => _events.Apply(events);

    /// <inheritdoc cref="ShardOutbox.TakePending"/>
    public OutgoingContact[] TakePending(int max, bool holdUnsubscribes = false) => _outbox.TakePending(max, holdUnsubscribes);

    /// <inheritdoc cref="ShardOutbox.Complete"/>
    public RunTally Complete(IReadOnlyList<ContactOutcome> outcomes) => _outbox.Complete(outcomes);

    /// <inheritdoc cref="ShardOutbox.OutcomesOfLeasedContacts"/>
    public ContactOutcome[] OutcomesOfLeasedContacts(IReadOnlyList<ContactOutcome> outcomes) => _outbox.OutcomesOfLeasedContacts(outcomes);

    /// <inheritdoc cref="ShardOutbox.OutcomesAwaitedAfterCrash"/>
    public ContactOutcome[] OutcomesAwaitedAfterCrash(IReadOnlyList<ContactOutcome> outcomes) => _outbox.OutcomesAwaitedAfterCrash(outcomes);

    /// <summary>Which deliveries of the export's journal this state holds.</summary>
    public DeliveryWatermark Deliveries { get; }

    /// <inheritdoc cref="ShardOutbox.CompleteTaken"/>
    public RunTally CompleteTaken(IReadOnlyList<ContactOutcome> outcomes) => _outbox.CompleteTaken(outcomes);

    /// <inheritdoc cref="ShardOutbox.ExpectOutcomesOfLostLeases"/>
    public void ExpectOutcomesOfLostLeases() => _outbox.ExpectOutcomesOfLostLeases();

    /// <inheritdoc cref="ShardOutbox.ReleaseLeases"/>
    public void ReleaseLeases() => _outbox.ReleaseLeases();

    /// <inheritdoc cref="ShardOutbox.ExpireLeases"/>
    public int ExpireLeases(TimeSpan timeout) => _outbox.ExpireLeases(timeout);

    /// <inheritdoc cref="ShardOutbox.ResetDelivery"/>
    /// <summary>The export sends to another list now: a reconciliation under way reads the old one, so it learns nothing more here.</summary>
    public void ResetDelivery()
    {
        _outbox.ResetDelivery();
        _reconciliation = null;
    }

    /// <inheritdoc cref="ShardOutbox.ErasuresForgotten"/>
    public long ErasuresForgotten => _outbox.ErasuresForgotten;

    /// <inheritdoc cref="ShardRuns.Begin"/>
    public long BeginRun(string runId) => _runs.Begin(runId);

    public void CancelRun(string runId) => _runs.Cancel(runId);

    public ShardCounters GetCounters() => ShardReport.Counters(_state, _outbox);

    /// <inheritdoc cref="RejectionLog.Newest"/>
    public IReadOnlyList<Rejection> GetRejections(RejectionKind? kind, int limit) => _rejections.Newest(kind, limit);

    public ShardRejections GetRejectionSummary() => _rejections.Summary();

    /// <inheritdoc cref="ShardInspection.UnsubscribeFigures"/>
    public UnsubscribeFigures GetUnsubscribeFigures(bool countSubscribed) => _inspection.UnsubscribeFigures(countSubscribed);

    /// <inheritdoc cref="ShardInspection.Preview"/>
    public SendPreview Preview(bool asRun, bool holding) => _inspection.Preview(asRun, holding);

    /// <inheritdoc cref="ShardInspection.Story"/>
    public MemberStory? Story(string profileId) => _inspection.Story(profileId);

    /// <inheritdoc cref="ShardInspection.FindByEmail"/>
    public MemberStory? FindByEmail(string email) => _inspection.FindByEmail(email);

    /// <inheritdoc cref="ShardListFacts.Apply"/>
    public void ApplyListFacts(IReadOnlyList<ListFact> facts) => _listFacts.Apply(facts);

    /// <summary>Starts this shard's part in a reconciliation (<see cref="ShardReconciliation"/>); held in memory only.</summary>
    public void BeginReconciliation(string reconciliationId) => _reconciliation = new(reconciliationId, _state.Members, _outbox.ActionFor);

    /// <summary>
    /// Which of <paramref name="emails"/>, read from the list at <paramref name="status"/>, this shard holds and what that
    /// tells; null when the shard is not in that reconciliation (reactivated, or moved to another list, since it began).
    /// </summary>
    public (bool[] Matched, List<ListFact> Facts)? Reconcile(string reconciliationId, ContactListStatus status, IReadOnlyList<string> emails, IReadOnlyList<string> contactIds) =>
        _reconciliation?.Id == reconciliationId ? _reconciliation.Read(status, emails, contactIds) : null;

    /// <summary>Members missing from the list at the reconciliation's end; null when the shard is not in it (<see cref="Reconcile"/>).</summary>
    public List<ListFact>? EndReconciliation(string reconciliationId)
    {
        if (_reconciliation?.Id != reconciliationId)
        {
            return null;
        }

        var missing = _reconciliation.Missing();
        _reconciliation = null;
        return missing;
    }

    /// <summary>
    /// Sets the export's definition as the shard needs it. Members keep their place in segments that stay
    /// (segments may be reordered); those in none of the remaining segments leave, and onLeave applies.
    /// A changed mapping takes effect as the segments send their members again.
    /// </summary>
    public void Configure(ShardConfig config)
    {
        var previous = _state.Config;
        _state.Config = config;
        if (previous is not null && !previous.Mapping.Fields.SequenceEqual(config.Mapping.Fields))
        {
            RemapFields(previous.Mapping.Fields, config.Mapping.Fields);
        }

        if (previous is null || previous.SegmentIds.SequenceEqual(config.SegmentIds))
        {
            return;
        }

        var newBits = previous.SegmentIds.Select(segment => ShardEventRules.IndexOf(config.SegmentIds, segment) is var i and >= 0 ? 1UL << i : 0).ToArray();
        for (var slot = 0; slot < Members.Count; slot++)
        {
            ref var member = ref Members[slot];
            ulong mask = 0;
            for (var i = 0; i < newBits.Length; i++)
            {
                if ((member.SegmentMask & (1UL << i)) != 0)
                {
                    mask |= newBits[i];
                }
            }

            if (mask == member.SegmentMask)
            {
                continue;
            }

            var wasMember = member.IsMember;
            member.SegmentMask = mask;
            if (mask == 0)
            {
                member.Clear(MemberFlags.SkippedByCap);
                if (wasMember)
                {
                    _capacity.Free();
                }

                _outbox.MarkDirty(slot);
            }
        }
    }

    /// <summary>
    /// Custom field values are positional: after a change of the mapped fields each member's values move with their
    /// attribute, and a member whose (field id, value) pairs changed is sent again, whether or not the backfill that
    /// follows reaches it.
    /// </summary>
    private void RemapFields(IReadOnlyList<FieldMapping> before, IReadOnlyList<FieldMapping> after)
    {
        for (var slot = 0; slot < Members.Count; slot++)
        {
            if (!Members[slot].HasData || Members.Data(slot) is not { } data)
            {
                continue;
            }

            var remapped = data with { FieldValues = ContactMapper.RemapFields(data.FieldValues, before, after) };
            var hash = ProfileHash.Of(remapped, after);
            ref var member = ref Members[slot];
            if (hash == member.DataHash)
            {
                continue;
            }

            member.Clear(MemberFlags.Failed);
            member.ImportFailures = 0;
            member.DataHash = hash;
            Members.SetData(slot, remapped);
            _outbox.MarkDirty(slot);
        }
    }
}
