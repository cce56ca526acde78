using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Keys;

/// <summary>
/// A fast 32-bit hash of a short byte string, for the key tables. A key of up to 16 bytes is read as two
/// 64-bit words (<see cref="LoadShort"/>) and hashed by a multiply of each seeded word, the top halves of the
/// products joined (<see cref="OfWords(ulong, ulong, int)"/>: its high bits are the strong ones); a longer key is read eight bytes
/// at a time with a multiply-and-fold mix, its tail as overlapping words. The seed is drawn once per process, so which keys
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

            // The last eight bytes, shifted down so that byte 8 lands in the lowest bits. A key of exactly 8 bytes has
            // no high word: the shift would be by 64, which is a shift by 0, so a mask (all ones from 9 bytes on, zero
            // at 8) clears it, without a branch that key lengths would make hard to predict.
            ulong last = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, length - 8));
            ulong beyondEight = ~(ulong)(long)((length - 9) >> 31);
            high = (last >> ((ShortKeyBytes - length) * 8)) & beyondEight;
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
            // The first, middle and last byte, each at its place: for 1 to 3 bytes they are every byte (some twice),
            // without a branch on which.
            int middle = length >> 1;
            int end = length - 1;
            low = start
                | ((ulong)Unsafe.Add(ref start, middle) << (middle * 8))
                | ((ulong)Unsafe.Add(ref start, end) << (end * 8));
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
    /// <see cref="Of"/> of the key. Its high bits are the strong ones: pick a slot by the top bits
    /// (<c>hash &gt;&gt; (32 - bits)</c>, as the byte-key table does) or multiply it again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OfWords(ulong low, ulong high, int length) => OfWords(low, high, length, s_seedLow, s_seedHigh);

    /// <summary>
    /// The process's seeds of <see cref="OfWords(ulong, ulong, int)"/> (low and high) and of a longer key, for a table to
    /// keep in fields of its own: code precompiled ahead of time (a ReadyToRun image) reads a static field through a
    /// call, which a table would make once a key.
    /// </summary>
    internal static (ulong Low, ulong High, ulong Long) Seeds => (s_seedLow, s_seedHigh, s_seed);

    /// <summary><see cref="OfWords(ulong, ulong, int)"/> with the seeds given (<see cref="Seeds"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint OfWords(ulong low, ulong high, int length, ulong seedLow, ulong seedHigh)
    {
        // Each seeded word multiplied by its own odd constant (two multiplies that run side by side; the length is
        // folded into the high word, so keys that differ only in length differ here), and the top halves of the
        // products joined: the top bits of a product depend on every bit of the word, so the top bits of the hash
        // depend on every byte of the key. One multiply deep, so that the probe's load is issued a few cycles after the
        // key's: a table looks up each word of a text this way, and the slot's load is what the lookup waits on.
        ulong a = (low ^ seedLow) * Multiplier;
        ulong b = (high ^ seedHigh ^ (uint)length) * Mixer;
        return (uint)(((a ^ b) * Mixer) >> 32);
    }

    /// <summary>The hash of a key of any length, by eight-byte words; <see cref="Of"/> uses it for keys longer than <see cref="ShortKeyBytes"/>.</summary>
    internal static uint OfLong(ReadOnlySpan<byte> key) => OfLong(key, s_seed);

    /// <summary><see cref="OfLong(ReadOnlySpan{byte})"/> with the seed given (<see cref="Seeds"/>).</summary>
    internal static uint OfLong(ReadOnlySpan<byte> key, ulong seed)
    {
        ulong hash = seed ^ ((ulong)key.Length * Multiplier);
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

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooLong(int length) =>
        throw new ArgumentOutOfRangeException(nameof(length), length, $"KeyHash.LoadShort reads keys of at most {ShortKeyBytes} bytes; hash a longer key with KeyHash.Of.");
}
