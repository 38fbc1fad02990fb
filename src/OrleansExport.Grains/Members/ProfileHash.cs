namespace OrleansExport.Grains.Members;

/// <summary>FNV-1a 64-bit: stable across processes (unlike string.GetHashCode), so it can be persisted.</summary>
public static class ProfileHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(string value) => Append(OffsetBasis, value);

    /// <summary>
    /// The data as ActiveCampaign receives it: custom field values paired with the field ids <paramref name="fields"/>
    /// maps them to (values are positional), so that a mapping that only swaps or re-targets field ids changes the hash.
    /// </summary>
    public static ulong Of(ContactData data, IReadOnlyList<FieldMapping> fields)
    {
        var hash = Append(OffsetBasis, data.Email);
        hash = Append(hash, data.FirstName);
        hash = Append(hash, data.LastName);
        hash = Append(hash, data.Phone);
        for (var i = 0; i < data.FieldValues.Length; i++)
        {
            hash = Append(hash, i < fields.Count ? fields[i].FieldId.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
            hash = Append(hash, data.FieldValues[i]);
        }

        // 0 means "nothing accepted yet"; never produce it for real data.
        return hash == 0 ? 1 : hash;
    }

    /// <summary>Which of <paramref name="buckets"/> shards owns a profile.</summary>
    public static int Bucket(string profileId, int buckets) => (int)(Of(profileId) % (ulong)buckets);

    private static ulong Append(ulong hash, string? value)
    {
        if (value is not null)
        {
            foreach (var c in value)
            {
                hash = (hash ^ c) * Prime;
            }
        }

        // A separator keeps ("ab", "c") and ("a", "bc") apart; null differs from "".
        return (hash ^ (value is null ? 0xFFu : 0x1Fu)) * Prime;
    }
}
