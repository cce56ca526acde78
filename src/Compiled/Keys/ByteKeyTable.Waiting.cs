using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <content>
/// Keys that wait while their slots are fetched: a reduce that adds each record's value into its key's entry can
/// hand the table a key and a value (<see cref="ByteKeyTable{TValue}.Defer"/>), and take them back a few keys later
/// (<see cref="ByteKeyTable{TValue}.TakeOldest"/>), when the key's slot has had the time of those keys to come into
/// the cache.
/// </content>
public sealed partial class ByteKeyTable<TValue>
{
    /// <summary>
    /// How many keys <see cref="Defer"/> holds at most: a key's slot is asked for this many keys (less one) before
    /// the key is looked up. A power of two.
    /// </summary>
    public const int WaitingKeys = WaitingRing.Size;

    // The waiting keys as slots (meta word, key words, value), in the order _ring keeps (WaitingKeys at most);
    // allocated by the first Defer, so a table that no reduce defers into keeps none.
    private Slot[]? _waiting;
    private WaitingRing _ring;

    // The bytes of the long keys that wait: the key of ring entry i at i * _longKeyRoom. The room grows (doubling) to the
    // longest key deferred, and is kept, so a steady stream of keys allocates nothing.
    private byte[] _waitingLongKeys = [];
    private int _longKeyRoom;

    // The slots' size from which a probe is likely to miss a core's own caches (a level 2 cache holds 256 KiB to 2 MiB),
    // so that asking for a slot ahead of its probe pays for the key's wait.
    private const int LargerThanCacheBytes = 256 * 1024;
    // A constant once compiled for the table's value type (a static field would be read through a call in precompiled code).
    private static int LargerThanCacheMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (LargerThanCacheBytes / Unsafe.SizeOf<Slot>()) - 1;
    }

    /// <summary>
    /// Whether the table's slots are more than a core's own caches are likely to hold (256 KiB or more): then a probe is
    /// likely to wait for memory, and a key is better deferred (<see cref="Defer"/>) than looked up at once. A table
    /// never shrinks while keys wait in it (only <see cref="Clear"/> shrinks it), so a caller that defers while this is
    /// true and looks up at once while it is false keeps every key in the order it came.
    /// </summary>
    public bool IsLargerThanCache
    {
        // Asked once a key in the fused loop: inlined, where the JIT found it unprofitable and left a call per key.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _mask >= LargerThanCacheMask;
    }

    /// <summary>How many keys wait (handed to <see cref="Defer"/> and not yet taken back with <see cref="TakeOldest"/>).</summary>
    public int Waiting => _ring.Count;

    /// <summary>
    /// Hands the table a key and the value to reduce into its entry, and asks the processor for the key's slot without
    /// waiting for it. The key waits with the value until <see cref="TakeOldest"/> takes it back; the caller must take
    /// back, oldest first, as many keys as this returns before it defers another: 1 when <see cref="WaitingKeys"/> keys
    /// wait, 0 before. A key longer than <see cref="KeyHash.ShortKeyBytes"/> waits as a copy of its bytes. So keys are
    /// looked up in the order they were deferred, and a key's values are reduced in the order they came. While keys
    /// wait the table must not be read: <see cref="KeyAt"/>, <see cref="ValueAt"/>, <see cref="Clear"/> and a
    /// checkpoint throw; take every waiting key first (<see cref="Waiting"/> of them).
    /// </summary>
    /// <returns>How many keys are due: to take back with <see cref="TakeOldest"/> now.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Defer(ReadOnlySpan<byte> key, TValue value)
    {
        Slot[]? waiting = _waiting;
        int length = key.Length;
        if (waiting is null || length > KeyHash.ShortKeyBytes)
        {
            return DeferRare(key, value);
        }

        KeyHash.LoadShort(key, out ulong low, out ulong high);
        ulong meta = ((ulong)KeyHash.OfWords(low, high, length, _seedLow, _seedHigh) << 32) | ((uint)length + 1);
        CacheLines.Prefetch(ref SlotAt((int)(meta >> _shift)));
        ref Slot entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(waiting), _ring.Next);
        entry.Meta = meta;
        entry.Key.Low = low;
        entry.Key.High = high;
        entry.Value = value;
        return _ring.Added();
    }

    /// <summary>
    /// Takes back the key that has waited longest (see <see cref="Defer"/>) and returns a reference to its entry's value,
    /// adding the key with a default value if it is new (<paramref name="exists"/> is then <see langword="false"/>);
    /// <paramref name="value"/> is the value deferred with it. The reference is valid until the next call that adds a key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TValue TakeOldest(out bool exists, out TValue value)
    {
        int oldest = _ring.TakeOldest();
        ref Slot entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_waiting!), oldest);
        value = entry.Value;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            entry.Value = default!;
        }

        // The probe of GetValueRefOrAddDefault, from the words and hash worked out when the key was deferred.
        ulong meta = entry.Meta;
        int length = (int)(uint)meta - 1;
        return ref length > KeyHash.ShortKeyBytes
            ? ref Probe(meta, 0, 0, _waitingLongKeys.AsSpan(oldest * _longKeyRoom, length), out exists)
            : ref Probe(meta, entry.Key.Low, entry.Key.High, default, out exists);
    }

    // The first key deferred into this table (its ring is made here), and a long key: its bytes are copied into its ring
    // entry's room (grown first if the key is longer than any before), and its slot is asked for as a short key's is.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int DeferRare(ReadOnlySpan<byte> key, TValue value)
    {
        _waiting ??= new Slot[WaitingKeys];
        if (key.Length <= KeyHash.ShortKeyBytes)
        {
            return Defer(key, value);
        }

        int last = _ring.Next;
        if (_longKeyRoom < key.Length)
        {
            GrowLongKeyRoom(key.Length);
        }

        key.CopyTo(_waitingLongKeys.AsSpan(last * _longKeyRoom));
        ulong meta = ((ulong)KeyHash.OfLong(key, _seedLong) << 32) | ((uint)key.Length + 1);
        CacheLines.Prefetch(ref SlotAt((int)(meta >> _shift)));
        ref Slot entry = ref _waiting[last];
        entry.Meta = meta;
        entry.Key = default;
        entry.Value = value;
        return _ring.Added();
    }

    // Room for a long key of `length` bytes in every ring entry: the waiting long keys move to their entries' new places.
    private void GrowLongKeyRoom(int length)
    {
        int room = (int)Math.Min(Array.MaxLength / WaitingKeys, Math.Max(length, Math.Max(2L * _longKeyRoom, 2 * KeyHash.ShortKeyBytes)));
        if (room < length)
        {
            throw new InvalidOperationException($"A key of {length} bytes is too long to wait in a key table, which keeps keys of up to {room} bytes; look it up with GetValueRefOrAddDefault instead.");
        }

        byte[] keys = new byte[room * WaitingKeys];
        for (int i = 0; i < _ring.Count; i++)
        {
            int entry = _ring.At(i);
            int entryLength = (int)(uint)_waiting![entry].Meta - 1;
            if (entryLength > KeyHash.ShortKeyBytes)
            {
                _waitingLongKeys.AsSpan(entry * _longKeyRoom, entryLength).CopyTo(keys.AsSpan(entry * room));
            }
        }

        _waitingLongKeys = keys;
        _longKeyRoom = room;
    }

    private void ThrowIfKeysWait() => _ring.ThrowIfAny();
}
