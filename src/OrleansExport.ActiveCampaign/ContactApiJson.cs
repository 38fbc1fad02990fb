using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>Request bodies of the contact endpoints (camelCase, unlike bulk import).</summary>
internal static class ContactApiJson
{
    public static byte[] ContactSync(SyncContact contact) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("contact");
        writer.WriteString("email", contact.Email);
        WriteOptional(writer, "firstName", contact.FirstName);
        WriteOptional(writer, "lastName", contact.LastName);
        WriteOptional(writer, "phone", contact.Phone);
        if (contact.Fields.Count > 0)
        {
            writer.WriteStartArray("fieldValues");
            foreach (var field in contact.Fields)
            {
                writer.WriteStartObject();
                writer.WriteString("field", field.FieldId.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("value", field.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static byte[] ContactList(string listId, string contactId, int status) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("contactList");
        writer.WriteString("list", listId);
        writer.WriteString("contact", contactId);
        writer.WriteNumber("status", status);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static byte[] Tag(string tag) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("tag");
        writer.WriteString("tag", tag);
        writer.WriteString("tagType", "contact");
        writer.WriteString("description", "");
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static byte[] Webhook(WebhookRegistration webhook) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("webhook");
        writer.WriteString("name", webhook.Name);
        writer.WriteString("url", webhook.Url);
        writer.WriteStartArray("events");
        foreach (var name in webhook.Events)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("sources");
        foreach (var source in webhook.Sources)
        {
            writer.WriteStringValue(source);
        }

        writer.WriteEndArray();
        writer.WriteString("listid", webhook.ListId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static byte[] ContactTag(string contactId, string tagId) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("contactTag");
        writer.WriteString("contact", contactId);
        writer.WriteString("tag", tagId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, BulkImportSerializer.WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
