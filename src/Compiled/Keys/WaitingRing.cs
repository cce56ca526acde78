using System.Runtime.CompilerServices;

namespace Compiled.Keys;

/// <summary>
/// The order of the keys a key table holds back while their slots are fetched (<c>Defer</c>, <c>TakeOldest</c> of
/// <see cref="ByteKeyTable{TValue}"/> and <see cref="StructKeyTable{TKey, TValue}"/>): which of the ring's
/// <see cref="Size"/> entries a new key takes, which one is the oldest, and how many wait. Each table keeps the
/// entries themselves, in an array of its own shape.
/// </summary>
internal struct WaitingRing
{
    /// <summary>How many keys wait at most: a key's slot is asked for this many keys (less one) before it is looked up. A power of two.</summary>
    public const int Size = 16;

    private int _first;
    private int _count;

    /// <summary>How many keys wait.</summary>
    public readonly int Count => _count;

    /// <summary>The entry the next key deferred takes.</summary>
    public readonly int Next => (_first + _count) & (Size - 1);

    /// <summary>The entry of the <paramref name="age"/>-th oldest waiting key (0 the oldest).</summary>
    public readonly int At(int age) => (_first + age) & (Size - 1);

    /// <summary>Counts a key stored at <see cref="Next"/>; returns how many keys are due now: 1 when the ring is full, 0 before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Added() => ++_count == Size ? 1 : 0;

    /// <summary>Takes the oldest key out of the ring; returns its entry, which stays as it is until a key is added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int TakeOldest()
    {
        if (_count == 0)
        {
            ThrowNoneWaiting();
        }

        int oldest = _first;
        _first = (oldest + 1) & (Size - 1);
        _count--;
        return oldest;
    }

    /// <summary>Throws when keys wait: a table is read, cleared or written to a checkpoint only with none waiting.</summary>
    public readonly void ThrowIfAny()
    {
        if (_count != 0)
        {
            throw new InvalidOperationException(
                $"{_count} keys handed to Defer still wait to be reduced into this table; take them with TakeOldest (Waiting of them) before reading or clearing it.");
        }
    }

    private static void ThrowNoneWaiting() =>
        throw new InvalidOperationException("No key waits in this table: TakeOldest takes back only keys handed to Defer, as many as Defer and Waiting say.");
}
