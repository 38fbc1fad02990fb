using System.Text.Json.Serialization;

namespace OrleansExport.Simulator;

// Response bodies, shaped like ActiveCampaign's.

internal sealed record MessageResponse(string Message);

internal sealed record UserEnvelope(UserBody User);

internal sealed record UserBody(string Id, string Username, string Email);

internal sealed record ListEnvelope(ListBody List);

internal sealed record ListBody(string Id, string Name, [property: JsonPropertyName("stringid")] string StringId);

internal sealed record BulkImportQueued(
    int Success,
    [property: JsonPropertyName("queued_contacts")] int QueuedContacts,
    string BatchId,
    string Message);

internal sealed record BulkImportRejected(
    int Success,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ContactFailure>? FailureReasons);

internal sealed record ContactFailure(int Contact, string FailureReason);

/// <summary>The documented 400 of the per-minute import limit: failure reasons are plain strings, naming no contact.</summary>
internal sealed record BulkImportRateLimited(int Success, string Message, IReadOnlyList<string> FailureReasons);

internal sealed record ImportInfoResponse(string Status, IReadOnlyList<string> Success, IReadOnlyList<string> Failure);

internal sealed record ContactEnvelope(ContactBody Contact);

internal sealed record ContactBody(string Id, string Email, string? FirstName, string? LastName, string? Phone);

internal sealed record ContactsPage(IReadOnlyList<ContactBody> ScoredContacts, IReadOnlyList<ContactBody> Contacts, PageMeta Meta);

/// <summary>The empty object ActiveCampaign answers a successful DELETE with.</summary>
internal sealed record EmptyBody;

internal sealed record ErrorsEnvelope(IReadOnlyList<ApiError> Errors);

internal sealed record ApiError(string Title, string Detail, string Code, ErrorSource Source);

internal sealed record ErrorSource(string Pointer);

internal sealed record ContactListEnvelope(ContactListResult ContactList);

internal sealed record ContactListResult(string Contact, string List, int Status);

internal sealed record ListCreated(string Id);

internal sealed record PageMeta(string Total);

internal sealed record ListsPage(IReadOnlyList<ListBody> Lists, PageMeta Meta);

internal sealed record FieldBody(string Id, string Title, string Type, string Perstag);

internal sealed record FieldsPage(IReadOnlyList<FieldBody> Fields, PageMeta Meta);

internal sealed record TagBody(string Id, string Tag, string TagType, string Description);

internal sealed record TagsPage(IReadOnlyList<TagBody> Tags, PageMeta Meta);

internal sealed record TagEnvelope(TagBody Tag);

internal sealed record ContactTagEnvelope(ContactTagBody ContactTag);

internal sealed record ContactTagBody(string Contact, string Tag);

internal sealed record ApiKeysView(int Valid, int Revoked);

internal sealed record FieldCreated(string Id);

internal sealed record ContactListsEnvelope(IReadOnlyList<ContactListView> ContactLists);

/// <summary>One of a contact's list statuses, as <c>GET /api/3/contacts/{id}/contactLists</c> answers it (numbers as strings).</summary>
internal sealed record ContactListView(
    string Contact,
    string List,
    string Status,
    string? Sdate,
    string? Udate,
    string Sourceid,
    string? Unsubreason,
    string? Campaign,
    string? UnsubscribeAutomation);

internal sealed record WebhookEnvelope(WebhookBody Webhook);

internal sealed record WebhookBody(string Id, string Name, string Url, IReadOnlyList<string> Events, IReadOnlyList<string> Sources, string Listid, string Cdate);

internal sealed record WebhooksPage(IReadOnlyList<WebhookBody> Webhooks, PageMeta Meta);
