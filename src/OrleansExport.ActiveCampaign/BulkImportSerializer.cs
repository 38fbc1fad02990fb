using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Writes the exact wire JSON of <c>POST /api/3/import/bulk_import</c>. <see cref="ImportPacker"/>
/// measures contacts with the same code, so a packed batch's predicted size is its real size.
/// </summary>
public static class BulkImportSerializer
{
    // Relaxed escaping is safe for an API body (it is never embedded in HTML) and keeps
    // non-Latin names at their UTF-8 size instead of six bytes per \uXXXX escape.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonEncodedText ContactsName = JsonEncodedText.Encode("contacts");
    private static readonly JsonEncodedText ExcludeAutomationsName = JsonEncodedText.Encode("exclude_automations");
    private static readonly JsonEncodedText EmailName = JsonEncodedText.Encode("email");
    private static readonly JsonEncodedText FirstNameName = JsonEncodedText.Encode("first_name");
    private static readonly JsonEncodedText LastNameName = JsonEncodedText.Encode("last_name");
    private static readonly JsonEncodedText PhoneName = JsonEncodedText.Encode("phone");
    private static readonly JsonEncodedText TagsName = JsonEncodedText.Encode("tags");
    private static readonly JsonEncodedText FieldsName = JsonEncodedText.Encode("fields");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText SubscribeName = JsonEncodedText.Encode("subscribe");
    private static readonly JsonEncodedText UnsubscribeName = JsonEncodedText.Encode("unsubscribe");
    private static readonly JsonEncodedText ListIdName = JsonEncodedText.Encode("listid");

    /// <summary>Size in bytes of a body without contacts: <c>{"contacts":[],"exclude_automations":false}</c> (true is shorter).</summary>
    public static int EnvelopeBytes { get; } = Serialize([]).Length;

    /// <summary>The UTF-8 request body for <paramref name="contacts"/>.</summary>
    /// <param name="excludeAutomations">True: the imported contacts do not trigger the account's automations.</param>
    public static byte[] Serialize(IEnumerable<BulkContact> contacts, bool excludeAutomations = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, contacts, excludeAutomations);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the request body for <paramref name="contacts"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, IEnumerable<BulkContact> contacts, bool excludeAutomations = false)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray(ContactsName);
        foreach (var contact in contacts)
        {
            WriteContact(writer, contact);
        }

        writer.WriteEndArray();
        writer.WriteBoolean(ExcludeAutomationsName, excludeAutomations);
        writer.WriteEndObject();
    }

    /// <summary>One contact object; null members and empty lists are left out.</summary>
    internal static void WriteContact(Utf8JsonWriter writer, BulkContact contact)
    {
        writer.WriteStartObject();
        writer.WriteString(EmailName, contact.Email);
        WriteOptional(writer, FirstNameName, contact.FirstName);
        WriteOptional(writer, LastNameName, contact.LastName);
        WriteOptional(writer, PhoneName, contact.Phone);
        if (contact.Tags.Count > 0)
        {
            writer.WriteStartArray(TagsName);
            foreach (var tag in contact.Tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
        }

        if (contact.Fields.Count > 0)
        {
            writer.WriteStartArray(FieldsName);
            foreach (var field in contact.Fields)
            {
                writer.WriteStartObject();
                writer.WriteNumber(IdName, field.FieldId);
                writer.WriteString(ValueName, field.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteListReference(writer, SubscribeName, contact.SubscribeListId);
        WriteListReference(writer, UnsubscribeName, contact.UnsubscribeListId);
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteListReference(Utf8JsonWriter writer, JsonEncodedText name, string? listId)
    {
        if (listId is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        writer.WriteStartObject();
        writer.WriteString(ListIdName, listId);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}
