using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.Delivery;

/// <summary>Turns a member's mapped data into what ActiveCampaign's endpoints take.</summary>
public static class ContactWire
{
    public static BulkContact ToBulkContact(OutgoingContact contact, ExportDefinition export)
    {
        var data = contact.Data;
        if (contact.Action == ContactAction.Unsubscribe)
        {
            return new BulkContact(data.Email, null, null, null, [], [], SubscribeListId: null, UnsubscribeListId: export.ListId);
        }

        return new BulkContact(data.Email, data.FirstName, data.LastName, data.Phone, Fields(data, export), export.Mapping.Tags,
            SubscribeListId: export.ListId, UnsubscribeListId: null);
    }

    public static SyncContact ToSyncContact(OutgoingContact contact, ExportDefinition export)
    {
        var data = contact.Data;
        return contact.Action == ContactAction.Unsubscribe
            ? new SyncContact(data.Email, null, null, null, [])
            : new SyncContact(data.Email, data.FirstName, data.LastName, data.Phone, Fields(data, export));
    }

    private static IReadOnlyList<FieldValue> Fields(ContactData data, ExportDefinition export)
    {
        var mapped = export.Mapping.Fields;
        var values = new List<FieldValue>(mapped.Count);
        for (var i = 0; i < mapped.Count && i < data.FieldValues.Length; i++)
        {
            if (data.FieldValues[i] is { } value)
            {
                values.Add(new FieldValue(mapped[i].FieldId, value));
            }
        }

        return values;
    }
}
