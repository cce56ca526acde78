using System.Buffers.Text;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// The arrays a batch's multi-record commands (<c>HSET</c>, <c>ZADD</c>, <c>MSET</c>) are built in, one per chunk of up to
/// a chunk's size, kept from batch to batch: a batch allocates one only when it has more chunks than every batch before,
/// or when its last, shorter chunk has another length than the last batch's.
/// </summary>
/// <typeparam name="T">What the client takes for one record: a hash entry, a sorted-set entry, a key and value.</typeparam>
internal sealed class ChunkArrays<T>(int size)
{
    private readonly List<T[]> _full = [];
    private T[] _last = [];

    /// <summary>The array for the chunk that begins at record <paramref name="start"/> of a batch of <paramref name="count"/> records.</summary>
    public T[] Take(int start, int count)
    {
        int length = Math.Min(size, count - start);
        if (length < size)
        {
            if (_last.Length != length)
            {
                _last = new T[length];
            }

            return _last;
        }

        int index = start / size;
        while (_full.Count <= index)
        {
            _full.Add(new T[size]);
        }

        return _full[index];
    }
}

/// <summary>The field arrays of the batch's <c>XADD</c>s, one per record (the client takes one array per command), kept from batch to batch.</summary>
internal sealed class StreamFieldArrays
{
    private NameValueEntry[]?[] _one = [];
    private NameValueEntry[]?[] _two = [];

    /// <summary>The array of <paramref name="fields"/> (1 or 2) fields for the batch's record <paramref name="index"/>.</summary>
    public NameValueEntry[] For(int index, int fields)
    {
        ref NameValueEntry[]?[] arrays = ref fields == 1 ? ref _one : ref _two;
        if (index >= arrays.Length)
        {
            Array.Resize(ref arrays, Math.Max(index + 1, arrays.Length * 2));
        }

        return arrays[index] ??= new NameValueEntry[fields];
    }
}

/// <summary>
/// The ids of the batch's stream entries, <c>&lt;milliseconds&gt;-&lt;index&gt;</c>, as text in one buffer kept from batch to
/// batch, of <c>capacity</c> bytes at first (<see cref="Longest"/> per id holds any). A full buffer is replaced by one twice
/// its size, not copied: the ids already given still point into the old one.
/// </summary>
internal sealed class EntryIds(int capacity = 4096)
{
    /// <summary>The longest id: two 20-digit numbers and the dash.</summary>
    public const int Longest = 41;

    private byte[] _bytes = new byte[capacity];
    private int _used;

    /// <summary>Starts a batch: the ids of the batch before are no longer read (every command was answered).</summary>
    public void Clear() => _used = 0;

    /// <summary>The id <c><paramref name="milliseconds"/>-<paramref name="sequence"/></c>.</summary>
    public RedisValue Add(long milliseconds, long sequence)
    {
        if (_bytes.Length - _used < Longest)
        {
            _bytes = new byte[_bytes.Length * 2];
            _used = 0;
        }

        Span<byte> free = _bytes.AsSpan(_used);
        Utf8Formatter.TryFormat(milliseconds, free, out int length);
        free[length++] = (byte)'-';
        Utf8Formatter.TryFormat(sequence, free[length..], out int more);
        length += more;
        RedisValue id = (ReadOnlyMemory<byte>)_bytes.AsMemory(_used, length);
        _used += length;
        return id;
    }
}
