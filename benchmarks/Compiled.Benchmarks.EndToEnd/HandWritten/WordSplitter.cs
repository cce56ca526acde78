using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>Reads the next bytes of an input into <paramref name="into"/>; returns how many (0 at its end).</summary>
internal delegate int BlockReader(Span<byte> into);

/// <summary>
/// The hand-written word counts' splitting, whatever they read: the input read in blocks of 4 MiB into one buffer,
/// words split in one vectorised pass over each block (32 or 16 bytes at a time, a bit per space or newline), the
/// start of a word cut by a block's end moved to the front for the next, each word counted in a <see cref="WordTable"/>.
/// </summary>
/// <remarks>
/// Words are the maximal runs of bytes other than the space and the newline: the compiled word count's words
/// (<c>Utf8Words</c> on the space) of its lines (cut at the newline). The generated input has no <c>\r</c>, which
/// the compiled job's framer would trim and this splitter would count as part of a word.
/// </remarks>
internal static class WordSplitter
{
    private const int BlockBytes = 4 << 20;
    /// <summary>Readable bytes a buffer must have past its data: the table's and the splitter's wide loads.</summary>
    public const int Padding = 64;

    /// <summary>
    /// Counts every word of the input <paramref name="read"/> gives, block by block, into <paramref name="table"/>;
    /// <paramref name="read"/> is called once per block (it may fill less than the span it is given).
    /// </summary>
    public static void CountAll(WordTable table, BlockReader read)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(BlockBytes + Padding, pinned: true);
        int carried = 0;   // the start of a word cut by the end of the last block, moved to the front
        while (true)
        {
            if (buffer.Length - Padding - carried < BlockBytes / 2)
            {
                // A "word" longer than half a block: grow rather than cut it.
                Array.Resize(ref buffer, (buffer.Length * 2) + Padding);
            }

            int count = read(buffer.AsSpan(carried, buffer.Length - Padding - carried));
            if (count == 0)
            {
                Split(table, buffer, carried);
                return;
            }

            int filled = carried + count;
            int cut = buffer.AsSpan(0, filled).LastIndexOfAny((byte)' ', (byte)'\n') + 1;
            Split(table, buffer, cut);
            carried = filled - cut;
            buffer.AsSpan(cut, carried).CopyTo(buffer);
        }
    }

    /// <summary>
    /// Counts every word of buffer[0..length) (with <see cref="Padding"/> readable bytes after it): a word ends at a
    /// space, a newline or the end of the data. 32 bytes at a time where the machine has 256-bit vectors, else 16 (a
    /// Native AOT build for the baseline x64 has only 128-bit ones unless told otherwise).
    /// </summary>
    public static void Split(WordTable table, byte[] buffer, int length)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Split256(table, buffer, length);
        }
        else
        {
            Split128(table, buffer, length);
        }
    }

    private static void Split256(WordTable table, byte[] buffer, int length)
    {
        ref byte data = ref MemoryMarshal.GetArrayDataReference(buffer);
        var space = Vector256.Create((byte)' ');
        var newline = Vector256.Create((byte)'\n');
        int start = 0;   // where the current word began (or will begin)
        for (int block = 0; block < length; block += Vector256<byte>.Count)
        {
            Vector256<byte> bytes = Vector256.LoadUnsafe(ref data, (nuint)block);
            uint separators = (Vector256.Equals(bytes, space) | Vector256.Equals(bytes, newline)).ExtractMostSignificantBits();
            start = CountWords(table, ref data, block, length, separators, start);
        }

        if (length > start)
        {
            table.Add(ref Unsafe.Add(ref data, start), length - start);
        }
    }

    private static void Split128(WordTable table, byte[] buffer, int length)
    {
        ref byte data = ref MemoryMarshal.GetArrayDataReference(buffer);
        var space = Vector128.Create((byte)' ');
        var newline = Vector128.Create((byte)'\n');
        int start = 0;
        for (int block = 0; block < length; block += Vector128<byte>.Count)
        {
            Vector128<byte> bytes = Vector128.LoadUnsafe(ref data, (nuint)block);
            uint separators = (Vector128.Equals(bytes, space) | Vector128.Equals(bytes, newline)).ExtractMostSignificantBits();
            start = CountWords(table, ref data, block, length, separators, start);
        }

        if (length > start)
        {
            table.Add(ref Unsafe.Add(ref data, start), length - start);
        }
    }

    // Counts the words that end at the separators of one block (a bit per byte from `block` on); returns where the
    // next word begins.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CountWords(WordTable table, ref byte data, int block, int length, uint separators, int start)
    {
        int left = length - block;
        if (left < 32)
        {
            // The padding past the data: its bytes are not separators, and do not end a word.
            separators &= (1u << left) - 1;
        }

        while (separators != 0)
        {
            int end = block + BitOperations.TrailingZeroCount(separators);
            separators &= separators - 1;
            if (end > start)
            {
                table.Add(ref Unsafe.Add(ref data, start), end - start);
            }

            start = end + 1;
        }

        return start;
    }
}
