using System.Diagnostics.CodeAnalysis;

namespace OrleansExport.Simulator;

/// <summary>
/// A read-only view of a contact's custom field values. It wraps the contact's array, which is replaced, never
/// changed, on update: a snapshot of a million contacts allocates no dictionaries.
/// </summary>
internal sealed class FieldValues((string FieldId, string Value)[] fields) : IReadOnlyDictionary<string, string>
{
    public int Count => fields.Length;

    public IEnumerable<string> Keys => fields.Select(f => f.FieldId);

    public IEnumerable<string> Values => fields.Select(f => f.Value);

    public string this[string key] => TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"No field {key}.");

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var (fieldId, fieldValue) in fields)
        {
            if (fieldId == key)
            {
                value = fieldValue;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var (fieldId, value) in fields)
        {
            yield return new KeyValuePair<string, string>(fieldId, value);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
