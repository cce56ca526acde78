using System.Runtime.CompilerServices;

namespace Compiled;

/// <summary>Where one key's values of a batch are, in a <see cref="ValueLists{TValue}"/>.</summary>
public struct ValueList
{
    internal int First;   // 1-based index of the first value; 0 when empty
    internal int Last;

    /// <summary>How many values the key received.</summary>
    public int Count;
}

/// <summary>
/// The values of a batch, grouped per key without an object per key: each key's values are a linked list in one
/// shared array, in the order they arrived, and <see cref="Get(in ValueList)"/> lays a key's list out contiguously to hand it
/// to user code as a span. <see cref="Clear"/> keeps the memory.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class ValueLists<TValue>
{
    private TValue[] _values = new TValue[256];
    private int[] _next = new int[256];
    private TValue[] _scratch = new TValue[16];
    private int _count;

    /// <summary>Appends <paramref name="value"/> to the list <paramref name="list"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ref ValueList list, TValue value)
    {
        if (_count == _values.Length)
        {
            Grow();
        }

        int index = _count++;
        _values[index] = value;
        _next[index] = 0;
        if (list.First == 0)
        {
            list.First = index + 1;
        }
        else
        {
            _next[list.Last - 1] = index + 1;
        }

        list.Last = index + 1;
        list.Count++;
    }

    /// <summary>The values of <paramref name="list"/>, in arrival order; valid until the next call.</summary>
    public ReadOnlySpan<TValue> Get(in ValueList list) => Get(list, ref _scratch);

    /// <summary>
    /// The values of <paramref name="list"/>, in arrival order, laid out in <paramref name="scratch"/> (grown when too
    /// short): for threads that read the lists at once, each with a scratch array of its own; valid until the next call
    /// with the same array. Reads the lists only.
    /// </summary>
    public ReadOnlySpan<TValue> Get(in ValueList list, ref TValue[] scratch)
    {
        if (list.Count == 0)
        {
            return default;
        }

        if (scratch.Length < list.Count)
        {
            scratch = new TValue[Math.Max(list.Count, scratch.Length * 2)];
        }

        int written = 0;
        for (int index = list.First; index != 0; index = _next[index - 1])
        {
            scratch[written++] = _values[index - 1];
        }

        return scratch.AsSpan(0, written);
    }

    /// <summary>
    /// Appends the values of <paramref name="list"/> to <paramref name="target"/>, a list of <paramref name="into"/>, in
    /// their order: how a partition's values of a key join the job's at a batch boundary, after the job's own.
    /// </summary>
    public void AppendTo(in ValueList list, ValueLists<TValue> into, ref ValueList target)
    {
        for (int index = list.First; index != 0; index = _next[index - 1])
        {
            into.Add(ref target, _values[index - 1]);
        }
    }

    /// <summary>Forgets every list, keeping the memory.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            Array.Clear(_values, 0, _count);
            Array.Clear(_scratch);
        }

        _count = 0;
    }

    private void Grow()
    {
        Array.Resize(ref _values, _values.Length * 2);
        Array.Resize(ref _next, _next.Length * 2);
    }
}
