using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <summary>
/// A fast 32-bit hash of a short byte string, for the key tables: eight bytes at a time with a
/// multiply-and-fold mix, and the tail read as overlapping words rather than byte by byte. The seed is
/// drawn once per process, so which keys collide cannot be chosen from outside; nothing in the output
/// depends on it, because tables emit keys in first-seen order.
/// </summary>
public static class KeyHash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;
    private const ulong Mixer = 0xBF58476D1CE4E5B9UL;
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64();

    /// <summary>Hashes <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Of(ReadOnlySpan<byte> key)
    {
        ulong hash = s_seed ^ ((ulong)key.Length * Multiplier);
        ref byte start = ref MemoryMarshal.GetReference(key);
        int length = key.Length;
        int offset = 0;
        while (length - offset >= 8)
        {
            hash = Mix(hash ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, offset)));
            offset += 8;
        }

        int tail = length - offset;
        if (tail >= 4)
        {
            // Two overlapping 4-byte reads cover a tail of 4 to 7 bytes.
            ulong low = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));
            ulong high = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, length - 4));
            hash = Mix(hash ^ (low | (high << 32)));
        }
        else if (tail > 0)
        {
            // The first, middle and last byte cover a tail of 1 to 3 bytes.
            ulong bytes = Unsafe.Add(ref start, offset)
                | ((ulong)Unsafe.Add(ref start, offset + (tail >> 1)) << 8)
                | ((ulong)Unsafe.Add(ref start, length - 1) << 16);
            hash = Mix(hash ^ bytes);
        }

        hash ^= hash >> 31;
        hash *= Mixer;
        hash ^= hash >> 29;
        return (uint)hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong value)
    {
        value *= Multiplier;
        return value ^ (value >> 32);
    }
}
