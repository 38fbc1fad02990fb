using System.Text;

namespace OrleansExport;

/// <summary>
/// Many events of one segment in one stream message, encoded once by the publisher in a compact binary
/// form and decoded once by the segment grain: the stream and its cache carry one byte array instead of an
/// object graph per event through the serializer. The shards journal the batches they apply in this form too.
/// </summary>
/// <remarks>
/// Layout (version 3): a version byte, the segment id, the event count, then per event a head byte (its type, and
/// whether its event id and its snapshot id are the previous event's), <c>occurredAt</c> (UTC ticks, as the
/// zigzag difference from the previous event's), the event id unless repeated, the profile id, the snapshot id
/// (empty for none) unless repeated, and attributes (count, then name and value pairs; -1 for none). Strings are
/// length-prefixed UTF-8 (<see cref="BinaryWriter"/>'s own form). The offset of <c>occurredAt</c> is not kept:
/// every rule compares instants. Attribute names repeat in every event, so each is written once per batch: a name
/// is its number among the batch's names, and a number one past the last is followed by a new name. A backfill
/// gives all its events one id and close instants, so most of its bytes are the members' own. Version 2 (ticks in
/// full, every id written) is still read (shard journals hold it) and written for a silo of the version before.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed class SegmentEventBatch
{
    /// <summary>What this version writes.</summary>
    public const byte CurrentVersion = 3;

    /// <summary>What the version before wrote and reads (ticks in full, every id written), still read and written on request.</summary>
    public const byte PreviousVersion = 2;

    // Bits of an event's head byte above its type.
    private const byte SameEventId = 0x40;
    private const byte SameSnapshotId = 0x80;
    private const byte TypeBits = 0x3F;

    [Id(0)] public byte[] Encoded { get; private init; } = [];

    /// <summary>Events in the batch, readable without decoding it.</summary>
    [Id(1)] public int Count { get; private init; }

    /// <param name="version"><see cref="CurrentVersion"/>, or <see cref="PreviousVersion"/> for a silo of the version before.</param>
    public static SegmentEventBatch Encode(string segmentId, IReadOnlyCollection<SegmentEvent> events, byte version = CurrentVersion)
    {
        if (version is not (CurrentVersion or PreviousVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "A segment event batch is written in version 2 or 3.");
        }

        var full = version == PreviousVersion;
        using var buffer = new MemoryStream(64 + events.Count * 96);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(version);
            writer.Write(segmentId);
            writer.Write7BitEncodedInt(events.Count);
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            SegmentEvent? previous = null;
            foreach (var e in events)
            {
                if (!string.Equals(e.SegmentId, segmentId, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"A batch holds events of one segment: '{e.SegmentId}' is not '{segmentId}'.", nameof(events));
                }

                if ((int)e.Type is < 0 or > TypeBits)
                {
                    throw new ArgumentException($"Event type {(int)e.Type} does not fit a batch's head byte.", nameof(events));
                }

                var snapshotId = e.SnapshotId ?? "";
                var head = (byte)e.Type;
                if (!full)
                {
                    head |= previous is not null && string.Equals(e.EventId, previous.EventId, StringComparison.Ordinal) ? SameEventId : (byte)0;
                    head |= previous is not null && string.Equals(snapshotId, previous.SnapshotId ?? "", StringComparison.Ordinal) ? SameSnapshotId : (byte)0;
                }

                writer.Write(head);
                if (full)
                {
                    writer.Write(e.OccurredAt.UtcTicks);
                }
                else
                {
                    writer.Write7BitEncodedInt64(ZigZag(e.OccurredAt.UtcTicks - (previous?.OccurredAt.UtcTicks ?? 0)));
                }

                if ((head & SameEventId) == 0)
                {
                    writer.Write(e.EventId);
                }

                writer.Write(e.ProfileId);
                if ((head & SameSnapshotId) == 0)
                {
                    writer.Write(snapshotId);
                }

                previous = e;
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
        var full = reader.ReadByte() switch
        {
            CurrentVersion => false,
            PreviousVersion => true,
            _ => throw new InvalidDataException("A segment event batch of an unknown version."),
        };

        var segmentId = reader.ReadString();
        var events = new SegmentEvent[reader.Read7BitEncodedInt()];
        var names = new List<string>();
        string eventId = "", snapshotId = "";
        var ticks = 0L;
        for (var i = 0; i < events.Length; i++)
        {
            var head = reader.ReadByte();
            var type = (SegmentEventType)(full ? head : head & TypeBits);
            ticks = full ? reader.ReadInt64() : unchecked(ticks + UnZigZag(reader.Read7BitEncodedInt64()));
            if ((ulong)ticks > (ulong)DateTime.MaxValue.Ticks)
            {
                throw new InvalidDataException($"A segment event batch holds an instant out of range ({ticks} ticks).");
            }

            var occurredAt = new DateTimeOffset(ticks, TimeSpan.Zero);
            eventId = !full && (head & SameEventId) != 0 ? Repeated(eventId, i) : reader.ReadString();
            var profileId = reader.ReadString();
            snapshotId = !full && (head & SameSnapshotId) != 0 ? Repeated(snapshotId, i) : reader.ReadString();
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

    private static string Repeated(string previous, int index) =>
        index > 0 ? previous : throw new InvalidDataException("A segment event batch's first event repeats the id of an event before it.");

    private static long ZigZag(long value) => (value << 1) ^ (value >> 63);

    private static long UnZigZag(long value) => (long)((ulong)value >> 1) ^ -(value & 1);

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
