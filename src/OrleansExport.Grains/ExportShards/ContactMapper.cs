using OrleansExport.ActiveCampaign;

namespace OrleansExport.Grains.ExportShards;

/// <summary>Why a profile cannot become a contact: the kind to group by, and the reason for a person (it may hold the email).</summary>
public sealed record MappingFailure(RejectionKind Kind, string Reason);

/// <summary>Maps profile attributes to ActiveCampaign contact data, or says why it cannot.</summary>
public static class ContactMapper
{
    /// <summary>Whether <see cref="Map"/> would find a valid email, without mapping the rest.</summary>
    public static bool HasValidEmail(IReadOnlyDictionary<string, string>? attributes, ContactMapping mapping) =>
        attributes is not null && attributes.TryGetValue(mapping.Email, out var email) && !string.IsNullOrWhiteSpace(email)
        && EmailRules.IsValid(email.Trim());

    public static ContactData? Map(IReadOnlyDictionary<string, string>? attributes, ContactMapping mapping, out MappingFailure? failure)
    {
        failure = null;
        string? Get(string? attribute) =>
            attribute is not null && attributes is not null && attributes.TryGetValue(attribute, out var value) && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : null;

        var email = Get(mapping.Email);
        if (email is null)
        {
            failure = new(RejectionKind.MissingEmail, $"attribute '{mapping.Email}' (mapped to email) is missing or empty");
            return null;
        }

        if (!EmailRules.IsValid(email))
        {
            failure = new(RejectionKind.InvalidEmail, $"'{email}' in attribute '{mapping.Email}' is not a valid email address");
            return null;
        }

        var fieldValues = mapping.Fields.Count == 0 ? [] : new string?[mapping.Fields.Count];
        for (var i = 0; i < mapping.Fields.Count; i++)
        {
            fieldValues[i] = Get(mapping.Fields[i].Attribute);
        }

        return new ContactData(email, Get(mapping.FirstName), Get(mapping.LastName), Get(mapping.Phone), fieldValues);
    }

    /// <summary>
    /// Field values mapped with <paramref name="before"/>, placed for <paramref name="after"/>: each value stays with the
    /// attribute it was mapped from; an attribute not mapped before is unknown (null, not sent) until the segments send
    /// the member again.
    /// </summary>
    public static string?[] RemapFields(string?[] values, IReadOnlyList<FieldMapping> before, IReadOnlyList<FieldMapping> after)
    {
        var remapped = after.Count == 0 ? [] : new string?[after.Count];
        for (var i = 0; i < after.Count; i++)
        {
            for (var j = 0; j < before.Count && j < values.Length; j++)
            {
                if (before[j].Attribute == after[i].Attribute)
                {
                    remapped[i] = values[j];
                    break;
                }
            }
        }

        return remapped;
    }
}
