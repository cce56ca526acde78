using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// The word count as a performance engineer would write it for this one job, using nothing of the runtime: the file
/// read with <see cref="RandomAccess"/> in 4 MiB blocks into one buffer, words split in one vectorised pass (32 or 16
/// bytes at a time, a bit per space or newline), counted in <see cref="WordTable"/>, and written as <c>(word,count)</c>
/// lines, flushed to disk as the compiled job's file sink does.
/// </summary>
/// <remarks>
/// Words are the maximal runs of bytes other than the space and the newline: the compiled word count's words
/// (<c>Utf8Words</c> on the space) of its lines (cut at the newline). The generated input has no <c>\r</c>, which
/// the compiled job's framer would trim and this job would count as part of a word.
/// </remarks>
internal static partial class HandWordCount
{
    private const int BlockBytes = 4 << 20;
    private const int Padding = 64;   // readable bytes past the data: the table's and the splitter's wide loads

    /// <summary>Counts the words of <paramref name="inputPath"/> and writes the counts to <paramref name="outputPath"/>.</summary>
    public static void Run(string inputPath, string outputPath)
    {
        var table = new WordTable();
        using (SafeFileHandle file = File.OpenHandle(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>(BlockBytes + Padding, pinned: true);
            long offset = 0;
            int carried = 0;   // the start of a word cut by the end of the last block, moved to the front
            while (true)
            {
                if (buffer.Length - Padding - carried < BlockBytes / 2)
                {
                    // A "word" longer than half a block: grow rather than cut it.
                    Array.Resize(ref buffer, (buffer.Length * 2) + Padding);
                }

                int read = RandomAccess.Read(file, buffer.AsSpan(carried, buffer.Length - Padding - carried), offset);
                if (read == 0)
                {
                    Split(table, buffer, carried);
                    break;
                }

                offset += read;
                int filled = carried + read;
                int cut = buffer.AsSpan(0, filled).LastIndexOfAny((byte)' ', (byte)'\n') + 1;
                Split(table, buffer, cut);
                carried = filled - cut;
                buffer.AsSpan(cut, carried).CopyTo(buffer);
            }
        }

        using var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        table.WriteTo(output);
        output.Flush(flushToDisk: true);
    }

    // Counts every word of buffer[0..length): a word ends at a space, a newline or the end of the data. 32 bytes at a
    // time where the machine has 256-bit vectors, else 16 (a Native AOT build for the baseline x64 has only 128-bit
    // ones unless told otherwise).
    private static void Split(WordTable table, byte[] buffer, int length)
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
