using System.Text.Json.Serialization;

namespace OrleansExport.Simulator;

// Request bodies, named as ActiveCampaign names them. Members the simulator does not model
// (customer_acct_name, callback) are accepted and ignored; exclude_automations is counted.

/// <summary>A custom field value, from either API's spelling.</summary>
internal interface IFieldInput
{
    string? FieldId { get; }
    string? Value { get; }
}

internal sealed class BulkImportRequest
{
    public List<BulkImportContact?>? Contacts { get; set; }

    [JsonPropertyName("exclude_automations")]
    public bool ExcludeAutomations { get; set; }
}

internal sealed class BulkImportContact
{
    public string? Email { get; set; }

    [JsonPropertyName("first_name")]
    public string? FirstName { get; set; }

    [JsonPropertyName("last_name")]
    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public List<string?>? Tags { get; set; }

    public List<BulkImportField>? Fields { get; set; }

    public List<ListReference>? Subscribe { get; set; }

    public List<ListReference>? Unsubscribe { get; set; }
}

internal sealed class BulkImportField : IFieldInput
{
    [JsonPropertyName("id")]
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? FieldId { get; set; }

    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Value { get; set; }
}

internal sealed class ListReference
{
    [JsonPropertyName("listid")]
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? ListId { get; set; }
}

internal sealed class ContactSyncRequest
{
    public ContactSyncBody? Contact { get; set; }
}

internal sealed class ContactSyncBody
{
    public string? Email { get; set; }

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    public List<ContactFieldValue>? FieldValues { get; set; }
}

internal sealed class ContactFieldValue : IFieldInput
{
    [JsonPropertyName("field")]
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? FieldId { get; set; }

    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Value { get; set; }
}

internal sealed class ContactListRequest
{
    public ContactListBody? ContactList { get; set; }
}

internal sealed class ContactListBody
{
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? List { get; set; }

    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Contact { get; set; }

    public int? Status { get; set; }
}

internal sealed class CreateListRequest
{
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Id { get; set; }

    public string? Name { get; set; }
}

internal sealed class CreateFieldRequest
{
    public string? Title { get; set; }

    public string? Type { get; set; }
}

internal sealed class ApiKeyRequest
{
    public string? Key { get; set; }
}

internal sealed class TagRequest
{
    public TagRequestBody? Tag { get; set; }
}

internal sealed class TagRequestBody
{
    public string? Tag { get; set; }

    public string? TagType { get; set; }

    public string? Description { get; set; }
}

internal sealed class ContactTagRequest
{
    public ContactTagRequestBody? ContactTag { get; set; }
}

internal sealed class ContactTagRequestBody
{
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Contact { get; set; }

    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? Tag { get; set; }
}

internal sealed class WebhookRequest
{
    public WebhookRequestBody? Webhook { get; set; }
}

internal sealed class WebhookRequestBody
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    public List<string?>? Events { get; set; }

    public List<string?>? Sources { get; set; }

    [JsonPropertyName("listid")]
    [JsonConverter(typeof(FlexibleStringConverter))]
    public string? ListId { get; set; }
}

internal sealed class EmailChangeRequest
{
    public string? Email { get; set; }
}
