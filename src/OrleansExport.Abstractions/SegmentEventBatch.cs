using System.Text;

namespace OrleansExport;

/// <summary>
/// Many events of one segment in one stream message, encoded once by the publisher in a compact binary
/// form and decoded once by the segment grain: the stream and its cache carry one byte array instead of an
/// object graph per event through the serializer. The shards journal the batches they apply in this form too.
/// </summary>
/// <remarks>
/// Layout: a version byte, the segment id, the event count, then per event its type, <c>occurredAt</c> (UTC
/// ticks), event id, profile id, snapshot id (empty for none) and attributes (count, then name and value
/// pairs; -1 for none). Strings are length-prefixed UTF-8 (<see cref="BinaryWriter"/>'s own form). The
/// offset of <c>occurredAt</c> is not kept: every rule compares instants. Attribute names repeat in every
/// event, so each is written once per batch: a name is its number among the batch's names, and a number
/// one past the last is followed by a new name.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed class SegmentEventBatch
{
    private const byte Version = 2;

    [Id(0)] public byte[] Encoded { get; private init; } = [];

    /// <summary>Events in the batch, readable without decoding it.</summary>
    [Id(1)] public int Count { get; private init; }

    public static SegmentEventBatch Encode(string segmentId, IReadOnlyCollection<SegmentEvent> events)
    {
        using var buffer = new MemoryStream(64 + events.Count * 96);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(segmentId);
            writer.Write7BitEncodedInt(events.Count);
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                if (!string.Equals(e.SegmentId, segmentId, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"A batch holds events of one segment: '{e.SegmentId}' is not '{segmentId}'.", nameof(events));
                }

                writer.Write((byte)e.Type);
                writer.Write(e.OccurredAt.UtcTicks);
                writer.Write(e.EventId);
                writer.Write(e.ProfileId);
                writer.Write(e.SnapshotId ?? "");
                if (e.Attributes is null)
                {
                    writer.Write7BitEncodedInt(-1);
                    continue;
                }

                writer.Write7BitEncodedInt(e.Attributes.Count);
                foreach (var (name, value) in e.Attributes)
                {
                    if (names.TryGetValue(name, out var number))
                    {
                        writer.Write7BitEncodedInt(number);
                    }
                    else
                    {
                        writer.Write7BitEncodedInt(names.Count);
                        writer.Write(name);
                        names[name] = names.Count;
                    }

                    writer.Write(value);
                }
            }
        }

        return new SegmentEventBatch { Encoded = buffer.ToArray(), Count = events.Count };
    }

    public IReadOnlyList<SegmentEvent> Decode()
    {
        using var reader = new BinaryReader(new MemoryStream(Encoded, writable: false), Encoding.UTF8);
        // Shard journals keep batches too: a new version must still read this one.
        if (reader.ReadByte() != Version)
        {
            throw new InvalidDataException("A segment event batch of an unknown version.");
        }

        var segmentId = reader.ReadString();
        var events = new SegmentEvent[reader.Read7BitEncodedInt()];
        var names = new List<string>();
        for (var i = 0; i < events.Length; i++)
        {
            var type = (SegmentEventType)reader.ReadByte();
            var occurredAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var eventId = reader.ReadString();
            var profileId = reader.ReadString();
            var snapshotId = reader.ReadString();
            var attributeCount = reader.Read7BitEncodedInt();
            Dictionary<string, string>? attributes = null;
            if (attributeCount >= 0)
            {
                attributes = new Dictionary<string, string>(attributeCount, StringComparer.Ordinal);
                for (var a = 0; a < attributeCount; a++)
                {
                    attributes[ReadName(reader, names)] = reader.ReadString();
                }
            }

            events[i] = new SegmentEvent(eventId, segmentId, profileId, type, occurredAt, attributes, snapshotId.Length == 0 ? null : snapshotId);
        }

        return events;
    }

    private static string ReadName(BinaryReader reader, List<string> names)
    {
        var number = reader.Read7BitEncodedInt();
        if (number == names.Count)
        {
            names.Add(reader.ReadString());
        }
        else if (number > names.Count || number < 0)
        {
            throw new InvalidDataException($"A segment event batch refers to attribute name {number}, of {names.Count}.");
        }

        return names[number];
    }
}
