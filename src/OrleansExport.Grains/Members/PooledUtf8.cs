using System.Buffers;
using System.Text;

namespace OrleansExport.Grains.Members;

/// <summary>A string's UTF-8 bytes in a pooled buffer, returned on dispose: a lookup allocates nothing.</summary>
internal readonly ref struct PooledUtf8
{
    private readonly byte[] _rented;

    public PooledUtf8(string value)
    {
        _rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        Bytes = _rented.AsSpan(0, Encoding.UTF8.GetBytes(value, _rented));
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_rented);
}
