using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Compiled.Keys;
using Compiled.Sinks;

namespace Compiled.Benchmarks.WordCount;

/// <summary>
/// The word count written by hand around the runtime's own key table, the measure of what the framework adds
/// around that table (it is not the yardstick of end-to-end speed: that is the hand-written job of
/// <c>benchmarks/Compiled.Benchmarks.EndToEnd</c>, which uses nothing of the runtime): one pass
/// over each segment's span, <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/> for <c>\n</c>
/// and for the space, a line that straddles two segments copied once into a reusable buffer, and counts in
/// an open-addressing byte-key table. At the end of the batch it writes the same <c>(word,count)</c>
/// records as the generated job, to the same kind of sink, and clears the table for the next batch.
/// </summary>
/// <remarks>
/// It uses the runtime's <see cref="ByteKeyTable{TValue}"/> on purpose: the generated job uses it too, so
/// the ratio of the two measures what the framework adds (framing, the fused stages, the batch boundary)
/// and not a difference between two hash tables. The table's own cost is measured separately by
/// <see cref="Micro.KeyTableBenchmarks"/>. Like the framer, it trims a <c>\r</c> before the <c>\n</c>
/// (the corpus has none; the check costs one compare a line), so both accept the same input.
/// </remarks>
public sealed class RuntimeTableLoopWordCount
{
    private readonly ByteKeyTable<long> _counts = new();
    private byte[] _carry = new byte[1024];   // the start of a line that continues in the next segment
    private byte[] _text = new byte[256];     // one output record

    /// <summary>Counts the words of every line of <paramref name="buffer"/>, then writes the counts to <paramref name="sink"/>.</summary>
    public void Run(in ReadOnlySequence<byte> buffer, Sink sink)
    {
        ByteKeyTable<long> counts = _counts;
        int carried = 0;
        foreach (ReadOnlyMemory<byte> memory in buffer)
        {
            ReadOnlySpan<byte> span = memory.Span;
            if (carried > 0)
            {
                // Finish the line that began in an earlier segment.
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    Carry(ref carried, span);
                    continue;
                }

                Carry(ref carried, span[..end]);
                CountWords(counts, _carry.AsSpan(0, carried));
                carried = 0;
                span = span[(end + 1)..];
            }

            while (true)
            {
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                CountWords(counts, span[..end]);
                span = span[(end + 1)..];
            }

            if (!span.IsEmpty)
            {
                Carry(ref carried, span);
            }
        }

        if (carried > 0)
        {
            // The last line of the stream, without a '\n'.
            CountWords(counts, _carry.AsSpan(0, carried));
        }

        Emit(counts, sink);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountWords(ByteKeyTable<long> counts, ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        while (true)
        {
            int space = line.IndexOf((byte)' ');
            if (space < 0)
            {
                if (!line.IsEmpty)
                {
                    counts.GetValueRefOrAddDefault(line, out _)++;
                }

                return;
            }

            if (space > 0)
            {
                counts.GetValueRefOrAddDefault(line[..space], out _)++;
            }

            line = line[(space + 1)..];
        }
    }

    // Appends part of a straddling line to the carry buffer (each byte is copied once).
    private void Carry(ref int carried, ReadOnlySpan<byte> part)
    {
        if (_carry.Length - carried < part.Length)
        {
            Array.Resize(ref _carry, Math.Max(_carry.Length * 2, carried + part.Length));
        }

        part.CopyTo(_carry.AsSpan(carried));
        carried += part.Length;
    }

    // The batch boundary: one "(word,count)" record per word, in first-seen order, then an empty table.
    private void Emit(ByteKeyTable<long> counts, Sink sink)
    {
        for (int i = 0; i < counts.Count; i++)
        {
            ReadOnlySpan<byte> word = counts.KeyAt(i);
            if (_text.Length < word.Length + 24)
            {
                _text = new byte[word.Length + 24];
            }

            Span<byte> text = _text;
            text[0] = (byte)'(';
            word.CopyTo(text[1..]);
            int length = word.Length + 1;
            text[length++] = (byte)',';
            counts.ValueAt(i).TryFormat(text[length..], out int written, default, CultureInfo.InvariantCulture);
            length += written;
            text[length++] = (byte)')';
            sink.Write(text[..length]);
        }

        counts.Clear();
    }
}
