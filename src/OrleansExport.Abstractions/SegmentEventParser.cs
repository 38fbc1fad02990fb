using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansExport;

/// <summary>
/// Turns upstream JSON into <see cref="SegmentEvent"/>s, or a reason a person can act on.
/// Never throws on bad input: one malformed event must not block the others. The overloads
/// without <see cref="SegmentEventLimits"/> use <see cref="SegmentEventLimits.Default"/> and the system clock.
/// </summary>
public static class SegmentEventParser
{
    public const int MaxIdLength = 256;
    public const int MaxAttributeCount = 200;
    public const int MaxAttributeValueLength = 4096;

    public static bool TryParse(JsonElement element, out SegmentEvent? segmentEvent, out string? reason) =>
        TryParse(element, SegmentEventLimits.Default, DateTimeOffset.UtcNow, out segmentEvent, out reason);

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out SegmentEvent? segmentEvent, out string? reason) =>
        TryParse(utf8Json, SegmentEventLimits.Default, DateTimeOffset.UtcNow, out segmentEvent, out reason);

    /// <param name="element">One event.</param>
    /// <param name="limits">Size and clock-skew limits.</param>
    /// <param name="now">The server clock, against which a future <c>occurredAt</c> is judged.</param>
    /// <param name="segmentEvent">The event, when valid.</param>
    /// <param name="reason">Why the event was rejected, when not.</param>
    public static bool TryParse(JsonElement element, SegmentEventLimits limits, DateTimeOffset now, out SegmentEvent? segmentEvent, out string? reason)
    {
        segmentEvent = null;
        try
        {
            reason = Parse(element, limits, now, ref segmentEvent);
        }
        catch (InvalidOperationException)
        {
            // JsonElement refuses to turn an escaped lone surrogate ("\ud800") into a string.
            reason = "the event contains text that is not valid Unicode (an escaped lone surrogate such as \\ud800)";
            segmentEvent = null;
        }

        return reason is null;
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, SegmentEventLimits limits, DateTimeOffset now, out SegmentEvent? segmentEvent, out string? reason)
    {
        segmentEvent = null;
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            return TryParse(document.RootElement, limits, now, out segmentEvent, out reason);
        }
        catch (JsonException exception)
        {
            reason = $"not valid JSON: {exception.Message}";
            return false;
        }
    }

    private static string? Parse(JsonElement element, SegmentEventLimits limits, DateTimeOffset now, ref SegmentEvent? result)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return "an event must be a JSON object";
        }

        if (!TryGetId(element, "eventId", out var eventId, out var error)
            || !TryGetId(element, "segmentId", out var segmentId, out error))
        {
            return error;
        }

        if (IdRules.InvalidSegmentId(segmentId) is { } segmentError)
        {
            return segmentError;
        }

        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return "'type' is required: joined, left, updated, erased, snapshotStarted or snapshotCompleted";
        }

        if (!TryParseType(typeElement.GetString()!, out var type))
        {
            // The reason is logged: it never quotes the body's text.
            return "'type' is unknown: use joined, left, updated, erased, snapshotStarted or snapshotCompleted";
        }

        if (!element.TryGetProperty("occurredAt", out var occurredElement) || occurredElement.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(occurredElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
        {
            return "'occurredAt' is required as an ISO 8601 timestamp, e.g. 2026-11-28T21:00:00.123Z";
        }

        if (occurredAt - now > limits.MaxFutureSkew)
        {
            return $"'occurredAt' {occurredAt.UtcDateTime:O} is more than {limits.MaxFutureSkew} ahead of the server clock; send the time the change happened";
        }

        string? snapshotId = null;
        if (element.TryGetProperty("snapshotId", out var snapshotElement) && snapshotElement.ValueKind != JsonValueKind.Null)
        {
            if (!TryGetId(element, "snapshotId", out snapshotId, out error))
            {
                return error;
            }
        }

        if (type is SegmentEventType.SnapshotStarted or SegmentEventType.SnapshotCompleted)
        {
            if (snapshotId is null)
            {
                return $"'snapshotId' is required for {typeElement.GetString()}";
            }

            result = new SegmentEvent(eventId!, segmentId!, ProfileId: "", type, occurredAt, null, snapshotId);
            return null;
        }

        if (!TryGetId(element, "profileId", out var profileId, out error))
        {
            return error;
        }

        if (IdRules.InvalidProfileId(profileId) is { } profileError)
        {
            return profileError;
        }

        if (type == SegmentEventType.Erased)
        {
            // Whatever attributes came along are dropped unread: the profile's data is to be forgotten.
            result = new SegmentEvent(eventId!, segmentId!, profileId!, type, occurredAt, null, snapshotId);
            return null;
        }

        Dictionary<string, string>? attributes = null;
        if (element.TryGetProperty("attributes", out var attributesElement) && attributesElement.ValueKind != JsonValueKind.Null)
        {
            if (attributesElement.ValueKind != JsonValueKind.Object)
            {
                return "'attributes' must be a JSON object of profile fields";
            }

            attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            var bytes = 0L;
            foreach (var property in attributesElement.EnumerateObject())
            {
                if (attributes.Count == MaxAttributeCount)
                {
                    return $"'attributes' has more than {MaxAttributeCount} fields";
                }

                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => null,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => property.Value.GetRawText(),
                };
                if (value is null)
                {
                    continue;
                }

                if (value.Length > MaxAttributeValueLength)
                {
                    return $"attribute '{LogText.Clean(Truncate(property.Name))}' is longer than {MaxAttributeValueLength} characters";
                }

                bytes += Encoding.UTF8.GetByteCount(property.Name) + Encoding.UTF8.GetByteCount(value);
                if (bytes > limits.MaxAttributeBytes)
                {
                    return $"'attributes' take more than {limits.MaxAttributeBytes} bytes; send only the profile fields the exports map";
                }

                attributes[property.Name] = value;
            }
        }

        if (type is SegmentEventType.Joined or SegmentEventType.Updated && attributes is null)
        {
            return $"'attributes' is required for {typeElement.GetString()} events";
        }

        result = new SegmentEvent(eventId!, segmentId!, profileId!, type, occurredAt, attributes, snapshotId);
        return null;
    }

    private static bool TryGetId(JsonElement element, string name, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            error = $"'{name}' is required";
            return false;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            error = $"'{name}' must be a string";
            return false;
        }

        value = property.GetString();
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"'{name}' must not be empty";
            return false;
        }

        if (value.Length > MaxIdLength)
        {
            error = $"'{name}' is longer than {MaxIdLength} characters";
            return false;
        }

        return true;
    }

    private static bool TryParseType(string text, out SegmentEventType type)
    {
        type = text switch
        {
            "joined" => SegmentEventType.Joined,
            "left" => SegmentEventType.Left,
            "updated" => SegmentEventType.Updated,
            "snapshotStarted" => SegmentEventType.SnapshotStarted,
            "snapshotCompleted" => SegmentEventType.SnapshotCompleted,
            "erased" => SegmentEventType.Erased,
            _ => (SegmentEventType)(-1),
        };
        return Enum.IsDefined(type);
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
