namespace OrleansExport;

/// <summary>What an export's delivery did in one minute (UTC, from <see cref="Minute"/>).</summary>
/// <param name="Sent">Contacts handed to ActiveCampaign.</param>
/// <param name="Accepted">Contacts ActiveCampaign applied.</param>
/// <param name="Rejected">Contacts ActiveCampaign refused (or that could not be sent at all).</param>
/// <param name="Imports">Bulk-import requests made: what the account's import budget counts.</param>
[GenerateSerializer, Immutable]
public sealed record ActivityBucket(
    [property: Id(0)] DateTimeOffset Minute,
    [property: Id(1)] long Sent,
    [property: Id(2)] long Accepted,
    [property: Id(3)] long Rejected,
    [property: Id(4)] long Imports);
