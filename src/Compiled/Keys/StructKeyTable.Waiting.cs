using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <content>
/// Keys that wait while their slots are fetched, as in <see cref="ByteKeyTable{TValue}"/>: a reduce that adds each
/// record's value into its key's entry can hand the table a key and a value (<see cref="StructKeyTable{TKey, TValue}.Defer"/>),
/// and take them back a few keys later (<see cref="StructKeyTable{TKey, TValue}.TakeOldest"/>), when the key's tag byte
/// and slot have had the time of those keys to come into the cache.
/// </content>
public sealed partial class StructKeyTable<TKey, TValue>
{
    /// <summary>
    /// How many keys <see cref="Defer"/> holds at most: a key's slot is asked for this many keys (less one) before
    /// the key is looked up. A power of two.
    /// </summary>
    public const int WaitingKeys = WaitingRing.Size;

    // The slots' size from which deferring pays. A struct key's probe is cheap (a tag byte, then a key compared in a
    // register), so it pays later than a byte key's (ByteKeyTable defers from 256 KiB): measured over Zipf-distributed
    // 64-bit keys, deferring took 1.02–1.14× the time of looking up at once with 4 MiB of slots, 0.74× with 8 MiB,
    // 0.58× with 16 MiB and 0.65× with 32 MiB.
    private const int LargerThanCacheBytes = 8 * 1024 * 1024;
    // A constant once compiled for the table's types (a static field would be read through a call in precompiled code).
    private static int LargerThanCacheMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Math.Max(1, LargerThanCacheBytes / Unsafe.SizeOf<Slot>()) - 1;
    }

    // The waiting keys with their values and spread hashes, in the order _ring keeps (WaitingKeys at most); allocated
    // by the first Defer, so a table that no reduce defers into keeps none.
    private WaitingKey[]? _waiting;
    private WaitingRing _ring;

    /// <summary>
    /// Whether the table's slots are large enough (8 MiB or more) that a probe is likely to wait for memory beyond a core's
    /// own caches: then a key is better deferred (<see cref="Defer"/>) than looked up at once. A table
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
    /// Hands the table a key and the value to reduce into its entry, and asks the processor for the key's tag byte and
    /// slot without waiting for them. The key waits with the value (both as copies) until <see cref="TakeOldest"/> takes
    /// it back; the caller must take back, oldest first, as many keys as this returns before it defers another: 1 when
    /// <see cref="WaitingKeys"/> keys wait, 0 before. So keys are looked up in the order they were deferred, and a key's
    /// values are reduced in the order they came. A key that is a view into a buffer (a <see cref="Utf8Text"/>) must stay
    /// valid until it is taken back. While keys wait the table must not be read: <see cref="KeyAt"/>,
    /// <see cref="ValueAt"/>, <see cref="Clear"/> and a checkpoint throw; take every waiting key first
    /// (<see cref="Waiting"/> of them).
    /// </summary>
    /// <returns>How many keys are due: to take back with <see cref="TakeOldest"/> now.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Defer(TKey key, TValue value)
    {
        WaitingKey[] waiting = _waiting ?? NewRing();
        uint hash = Spread(KeyEquality<TKey>.HashOf(key));
        int index = (int)hash & _mask;
        CacheLines.Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), index));
        CacheLines.Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), index));
        ref WaitingKey entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(waiting), _ring.Next);
        entry.Key = key;
        entry.Value = value;
        entry.Hash = hash;
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
        ref WaitingKey entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_waiting!), oldest);
        value = entry.Value;
        TKey key = entry.Key;
        uint hash = entry.Hash;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<WaitingKey>())
        {
            // The ring holds no key or value that was taken back: the collector may let them go.
            entry = default;
        }

        return ref Probe(key, hash, out exists);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WaitingKey[] NewRing() => _waiting = new WaitingKey[WaitingKeys];

    private void ThrowIfKeysWait() => _ring.ThrowIfAny();

    private struct WaitingKey
    {
        public TKey Key;
        public TValue Value;
        public uint Hash;
    }
}
