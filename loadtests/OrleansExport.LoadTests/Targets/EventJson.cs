using System.Buffers;
using System.Text.Json;

namespace OrleansExport.LoadTests.Targets;

/// <summary>Writes events in the upstream wire format of CONTRACT.md section 1.</summary>
internal static class EventJson
{
    public static byte[] Serialize(IReadOnlyList<SegmentEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(events.Count * 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var e in events)
            {
                writer.WriteStartObject();
                writer.WriteString("eventId", e.EventId);
                writer.WriteString("segmentId", e.SegmentId);
                writer.WriteString("profileId", e.ProfileId);
                writer.WriteString("type", JsonNamingPolicy.CamelCase.ConvertName(e.Type.ToString()));
                writer.WriteString("occurredAt", e.OccurredAt);
                if (e.SnapshotId is { } snapshotId)
                {
                    writer.WriteString("snapshotId", snapshotId);
                }

                if (e.Attributes is { } attributes)
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

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
