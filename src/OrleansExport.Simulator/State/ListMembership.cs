namespace OrleansExport.Simulator;

/// <summary>Who changed a contact's status on a list, and how ActiveCampaign's <c>contactLists</c> answer names it.</summary>
/// <remarks>
/// The docs do not say which <c>sourceid</c> each way of changing a status leaves. The simulator's choice: "0" for a
/// change made through the API (bulk import, contactLists), another number for everything else. Webhooks name the same
/// sources as <c>initiated_from</c>: <c>api</c>, <c>admin</c> (a user in the app), <c>public</c> (the person), <c>system</c>.
/// </remarks>
internal enum ChangeSource : byte
{
    Api,
    Admin,
    Public,
    System,
}

/// <summary>
/// A contact's status on one list. Kept to a few bytes (a list can hold a million): times are whole seconds since the
/// Unix epoch, 0 for never; the campaign and reason of an unsubscribe live apart, in the few entries that have them.
/// </summary>
internal readonly record struct ListMembership(byte Status, ChangeSource Source, uint SubscribedAt, uint UnsubscribedAt)
{
    public const byte Unconfirmed = 0;
    public const byte Active = 1;
    public const byte Unsubscribed = 2;
    public const byte Bounced = 3;

    /// <summary>Bulk import never takes a contact out of these: only the contactLists API (or the person) does.</summary>
    public bool IsOptedOut => Status is Unsubscribed or Bounced;

    /// <summary>A first status on the list: subscribed (or added unsubscribed) now.</summary>
    public static ListMembership Start(byte status, ChangeSource source, uint now) =>
        new(status, source, now, status is Unsubscribed or Bounced ? now : 0);

    /// <summary>
    /// The status set by <paramref name="source"/> at <paramref name="now"/>. A write that does not change the status keeps
    /// who set it (the simulator's choice: the docs do not say), so an API call cannot hide a person's unsubscribe.
    /// </summary>
    public ListMembership With(byte status, ChangeSource source, uint now) => status == Status
        ? this
        : status is Unsubscribed or Bounced
            ? new ListMembership(status, source, SubscribedAt, now)
            : new ListMembership(status, source, now, 0);

    public static string SourceId(ChangeSource source) => source switch
    {
        ChangeSource.Api => "0",
        ChangeSource.Admin => "1",
        ChangeSource.Public => "4",
        _ => "7",
    };

    public static string Name(ChangeSource source) => source switch
    {
        ChangeSource.Api => "api",
        ChangeSource.Admin => "admin",
        ChangeSource.Public => "public",
        _ => "system",
    };
}

/// <summary>What an unsubscribe by the person carries beyond the status: the campaign whose link was used, the reason given.</summary>
internal sealed record UnsubscribeDetail(string? Campaign, string? Reason, string? Automation);
