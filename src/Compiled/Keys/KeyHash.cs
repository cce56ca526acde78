using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <summary>
/// A fast 32-bit hash of a short byte string, for the key tables. A key of up to 16 bytes is read as two
/// 64-bit words (<see cref="LoadShort"/>) and hashed by one 64×64→128-bit multiply of the seeded words, folded,
/// and one more multiply by a constant (<see cref="OfWords"/>); a longer key is read eight bytes at a time with
/// a multiply-and-fold mix, its tail as overlapping words. The seed is drawn once per process, so which keys
/// collide cannot be chosen from outside; nothing in the output depends on it, because tables emit keys in
/// first-seen order.
/// </summary>
public static class KeyHash
{
    /// <summary>The longest key that <see cref="LoadShort"/> reads into two words, and that a table keeps in its slot.</summary>
    public const int ShortKeyBytes = 16;

    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;
    private const ulong Mixer = 0xBF58476D1CE4E5B9UL;
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64();
    private static readonly ulong s_seedLow = (ulong)Random.Shared.NextInt64() | 1;
    private static readonly ulong s_seedHigh = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>Hashes <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Of(ReadOnlySpan<byte> key)
    {
        if (key.Length <= ShortKeyBytes)
        {
            LoadShort(key, out ulong low, out ulong high);
            return OfWords(low, high, key.Length);
        }

        return OfLong(key);
    }

    /// <summary>
    /// Reads a key of at most <see cref="ShortKeyBytes"/> bytes into two words: bytes 0 to 7 in <paramref name="low"/> and
    /// bytes 8 to 15 in <paramref name="high"/>, the first byte in the lowest bits, and every byte past the key's end
    /// zero. The two words are then the key's bytes as they lie in memory (on a little-endian machine, which every
    /// platform .NET 10 ships for is), and with the length they tell every key apart. No byte outside the key is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadShort(ReadOnlySpan<byte> key, out ulong low, out ulong high)
    {
        int length = key.Length;
        ref byte start = ref MemoryMarshal.GetReference(key);
        if (length >= 8)
        {
            if (length > ShortKeyBytes)
            {
                ThrowTooLong(length);
            }

            low = Unsafe.ReadUnaligned<ulong>(ref start);

            // The last eight bytes, shifted down so that byte 8 lands in the lowest bits; a key of exactly 8 bytes
            // has no high word (a shift by 64 would be a shift by 0).
            ulong last = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, length - 8));
            high = length > 8 ? last >> ((ShortKeyBytes - length) * 8) : 0;
        }
        else if (length >= 4)
        {
            // The first four bytes and the last four, the latter shifted down so that byte 4 lands at bit 32.
            ulong first = Unsafe.ReadUnaligned<uint>(ref start);
            ulong last = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, length - 4));
            low = first | ((last >> ((8 - length) * 8)) << 32);
            high = 0;
        }
        else if (length > 0)
        {
            // The first byte, and the last two bytes at their places (for two bytes they are the first two again).
            low = start;
            if (length > 1)
            {
                low |= (ulong)Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, length - 2)) << ((length - 2) * 8);
            }

            high = 0;
        }
        else
        {
            low = 0;
            high = 0;
        }
    }

    /// <summary>
    /// The hash of a key of <paramref name="length"/> bytes (at most <see cref="ShortKeyBytes"/>) that
    /// <see cref="LoadShort"/> read into <paramref name="low"/> and <paramref name="high"/>: equal to
    /// <see cref="Of"/> of the key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OfWords(ulong low, ulong high, int length)
    {
        // The seeded words multiplied into 128 bits, both halves folded: every bit of either word reaches the
        // middle bits. The words are folded in too, so a word that the seed turns into zero does not make the
        // product forget the other one. The last multiply by an odd constant carries the middle bits down to the
        // low bits, which pick the slot.
        ulong a = low ^ s_seedLow;
        ulong b = high ^ s_seedHigh ^ ((ulong)(uint)length * Multiplier);
        ulong upper = Math.BigMul(a, b, out ulong lower);
        ulong hash = (upper ^ lower ^ a ^ b) * Mixer;
        return (uint)(hash ^ (hash >> 32));
    }

    /// <summary>The hash of a key of any length, by eight-byte words; <see cref="Of"/> uses it for keys longer than <see cref="ShortKeyBytes"/>.</summary>
    internal static uint OfLong(ReadOnlySpan<byte> key)
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

    private static void ThrowTooLong(int length) =>
        throw new ArgumentOutOfRangeException(nameof(length), length, $"KeyHash.LoadShort reads keys of at most {ShortKeyBytes} bytes; hash a longer key with KeyHash.Of.");
}
