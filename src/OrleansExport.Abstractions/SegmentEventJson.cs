using System.Globalization;
using System.Text.Json;

namespace OrleansExport;

/// <summary>Writes a <see cref="SegmentEvent"/> as the JSON of docs/api.md section 1 that <see cref="SegmentEventParser"/> reads.</summary>
public static class SegmentEventJson
{
    public static byte[] Serialize(SegmentEvent segmentEvent)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, segmentEvent);
        }

        return buffer.ToArray();
    }

    /// <summary>A JSON array of events, as <c>POST /api/events</c> takes them.</summary>
    public static byte[] SerializeArray(IEnumerable<SegmentEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var segmentEvent in events)
            {
                Write(writer, segmentEvent);
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, SegmentEvent segmentEvent)
    {
        writer.WriteStartObject();
        writer.WriteString("eventId", segmentEvent.EventId);
        writer.WriteString("segmentId", segmentEvent.SegmentId);
        if (segmentEvent.ProfileId.Length > 0)
        {
            writer.WriteString("profileId", segmentEvent.ProfileId);
        }

        writer.WriteString("type", TypeName(segmentEvent.Type));
        writer.WriteString("occurredAt", segmentEvent.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        if (segmentEvent.SnapshotId is { } snapshotId)
        {
            writer.WriteString("snapshotId", snapshotId);
        }

        if (segmentEvent.Attributes is { } attributes)
        {
            writer.WriteStartObject("attributes");
            foreach (var (name, value) in attributes)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public static string TypeName(SegmentEventType type) => type switch
    {
        SegmentEventType.Joined => "joined",
        SegmentEventType.Left => "left",
        SegmentEventType.Updated => "updated",
        SegmentEventType.SnapshotStarted => "snapshotStarted",
        SegmentEventType.SnapshotCompleted => "snapshotCompleted",
        SegmentEventType.Erased => "erased",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
