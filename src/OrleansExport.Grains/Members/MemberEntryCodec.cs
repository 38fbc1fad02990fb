using System.Text;

namespace OrleansExport.Grains.Members;

// How a MemberTable entry is written to and read from its MemberArena: each string is a varint of (UTF-8 length + 1),
// 0 for null, then its bytes.

internal ref struct EntryWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;

    public int Position { get; private set; }

    public void Write(ReadOnlySpan<byte> utf8)
    {
        WriteLength(utf8.Length + 1);
        utf8.CopyTo(_buffer[Position..]);
        Position += utf8.Length;
    }

    public void Write(string? value)
    {
        if (value is null)
        {
            WriteLength(0);
            return;
        }

        var bytes = Encoding.UTF8.GetByteCount(value);
        WriteLength(bytes + 1);
        Position += Encoding.UTF8.GetBytes(value, _buffer[Position..]);
    }

    public void WriteLength(int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            _buffer[Position++] = (byte)(v | 0x80);
            v >>= 7;
        }

        _buffer[Position++] = (byte)v;
    }
}

internal ref struct EntryReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;

    public int Position { get; private set; }

    public int ReadLength()
    {
        uint value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = _buffer[Position++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (int)value;
            }
        }
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadLength() - 1;
        if (length < 0)
        {
            return default;
        }

        var bytes = _buffer.Slice(Position, length);
        Position += length;
        return bytes;
    }

    public string? ReadString()
    {
        var length = ReadLength() - 1;
        if (length < 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(_buffer.Slice(Position, length));
        Position += length;
        return value;
    }

    public void Skip()
    {
        var length = ReadLength() - 1;
        Position += Math.Max(0, length);
    }
}
