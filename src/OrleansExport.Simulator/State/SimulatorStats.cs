namespace OrleansExport.Simulator;

/// <summary>Counters since start or the last reset.</summary>
/// <param name="Requests">Requests to <c>/api/3</c>, whatever their answer.</param>
/// <param name="Throttled429">Requests answered 429 (any window).</param>
/// <param name="BulkImports">Accepted bulk imports with more than one contact.</param>
/// <param name="SingleContactImports">Accepted bulk imports with exactly one contact.</param>
/// <param name="ContactsImported">Contacts in accepted bulk imports (queued, applied or not yet).</param>
/// <param name="ContactSyncs">Successful <c>contact/sync</c> calls.</param>
/// <param name="ContactListUpdates">Successful <c>contactLists</c> calls.</param>
/// <param name="ImportInfoCalls"><c>import/info</c> calls that passed the key and rate checks.</param>
/// <param name="BadRequests">Answers 400, 404, 413 and 422: every 4xx but 403 and 429.</param>
/// <param name="Forbidden">Answers 403 (missing or unknown <c>Api-Token</c>).</param>
/// <param name="FirstImportAt">When the first accepted bulk import (single or multi) arrived.</param>
/// <param name="LastImportAt">When the latest accepted bulk import (single or multi) arrived.</param>
/// <param name="ImportsExcludingAutomations">Accepted bulk imports that asked not to trigger automations (<c>exclude_automations</c>).</param>
/// <param name="ContactsDeleted">Successful <c>DELETE /api/3/contacts/{id}</c> calls.</param>
public sealed record SimulatorStats(
    long Requests,
    long Throttled429,
    long BulkImports,
    long SingleContactImports,
    long ContactsImported,
    long ContactSyncs,
    long ContactListUpdates,
    long ImportInfoCalls,
    long BadRequests,
    long Forbidden,
    DateTimeOffset? FirstImportAt,
    DateTimeOffset? LastImportAt,
    long ImportsExcludingAutomations,
    long ContactsDeleted = 0);
