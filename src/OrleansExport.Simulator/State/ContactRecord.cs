namespace OrleansExport.Simulator;

/// <summary>A stored contact. Kept small: up to a million live in memory during load tests.</summary>
internal sealed class ContactRecord(int id, string email)
{
    public int Id { get; } = id;

    /// <summary>Changed only by an edit (PUT /api/3/contacts/{id}, or a user in the app).</summary>
    public string Email { get; set; } = email;

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Phone { get; set; }

    /// <summary>
    /// When the contact or one of its list statuses last changed, in whole seconds since the Unix epoch: what
    /// <c>updated_after</c> filters on.
    /// </summary>
    public uint UpdatedAt { get; set; }

    /// <summary>Deleted (DELETE /api/3/contacts/{id}): its id answers 404 and its email makes a new contact.</summary>
    public bool Deleted { get; set; }

    // Arrays, not dictionaries: a contact has a handful of fields and tags, and an array costs a fraction of a dictionary.
    // Both are replaced, never changed in place, so snapshots can share them.
    public (string FieldId, string Value)[] Fields { get; private set; } = [];

    public string[] Tags { get; private set; } = [];

    /// <summary>False when the field had this value already.</summary>
    public bool SetField(string fieldId, string value)
    {
        int index = Fields.Length - 1;
        while (index >= 0 && Fields[index].FieldId != fieldId)
        {
            index--;
        }

        if (index < 0)
        {
            Fields = [.. Fields, (fieldId, value)];
            return true;
        }

        if (Fields[index].Value == value)
        {
            return false;
        }

        var fields = ((string FieldId, string Value)[])Fields.Clone();
        fields[index].Value = value;
        Fields = fields;
        return true;
    }

    /// <summary>False when the contact had the tag already.</summary>
    public bool AddTag(string tag)
    {
        if (Array.IndexOf(Tags, tag) >= 0)
        {
            return false;
        }

        Tags = [.. Tags, tag];
        return true;
    }

    public SimContact ToSimContact(int status) => new(
        Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Email,
        FirstName,
        LastName,
        Phone,
        status,
        new FieldValues(Fields),
        Tags);
}
