using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Internal;

namespace Compiled.Tests.Framing;

/// <summary>
/// A consumer with a field separator has each line's fields counted in the pass that finds the line's end: the count
/// the framer hands on is the line's separators plus one, or -1 for a line with a quote, whatever the buffer's segments
/// and reads; a line it cannot count in that pass (across segments, part-searched by an earlier call, the last without a
/// line end) comes uncounted, and every line comes once.
/// </summary>
public class FieldCountingTests
{
    [Fact]
    public void IndexOfCounting_FromEveryStart_AgreesWithCountingByHand()
    {
        var random = new Random(7);
        for (int length = 0; length <= 120; length++)
        {
            for (int trial = 0; trial < 6; trial++)
            {
                byte[] text = new byte[length];
                for (int i = 0; i < length; i++)
                {
                    int kind = random.Next(40);
                    text[i] = kind == 0 ? (byte)'\n' : kind == 1 ? (byte)'"' : kind < 8 ? (byte)',' : (byte)('a' + random.Next(26));
                }

                for (int start = 0; start <= length; start++)
                {
                    int found = text.AsSpan(start).IndexOf((byte)'\n');
                    int end = found < 0 ? length : start + found;
                    ReadOnlySpan<byte> before = text.AsSpan(start, end - start);
                    int index = ByteSearch.IndexOfCounting(text, start, (byte)'\n', (byte)',', out int separators, out bool quote);
                    string where = $"'{Encoding.ASCII.GetString(text)}' from {start}";
                    Assert.True(index == (found < 0 ? -1 : end), where);
                    Assert.True(separators == before.Count((byte)','), where);
                    Assert.True(quote == before.Contains((byte)'"'), where);
                }
            }
        }
    }

    [Fact]
    public void EveryLine_ComesOnce_CountedRightOrUncounted_WhateverTheSegmentsAndReads()
    {
        var random = new Random(20261207);
        int counted = 0;
        int lines = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var text = new StringBuilder();
            int count = random.Next(1, 60);
            for (int i = 0; i < count; i++)
            {
                int fields = random.Next(1, 12);
                for (int f = 0; f < fields; f++)
                {
                    text.Append(f == 0 ? "" : ",").Append(random.Next(30) == 0 ? "\"q\"" : new string('x', random.Next(0, 14)));
                }

                text.Append(random.Next(5) == 0 ? "\r\n" : "\n");
            }

            if (random.Next(3) == 0)
            {
                text.Append("tail,without,end");
            }

            byte[] input = Encoding.ASCII.GetBytes(text.ToString());
            var seen = new List<(string Line, int Fields)>();
            var consumer = new Counting(seen);
            using var framer = new LineFramer(new FramingOptions(), new SourceCounters());
            framer.Reset("test");

            // Fed in reads of random sizes, each read's bytes cut into segments of random sizes (every other trial: long reads in one segment).
            int given = 0;
            byte[] pending = [];
            while (true)
            {
                int take = Math.Min(input.Length - given, trial % 2 == 0 ? random.Next(1, 200) : random.Next(500, 4000));
                pending = [.. pending, .. input.AsSpan(given, take)];
                given += take;
                bool completed = given == input.Length;
                ReadOnlySequence<byte> buffer = TestSegment.Chunked(pending, trial % 2 == 0 ? random.Next(1, 64) : 1 << 16);
                SequencePosition consumed = framer.Frame(buffer, completed, ref consumer);
                pending = buffer.Slice(consumed).ToArray();
                if (completed)
                {
                    break;
                }
            }

            string[] expected = text.ToString().Split('\n');
            expected = expected[^1].Length == 0 ? expected[..^1] : expected;
            Assert.Equal(expected.Select(l => l.TrimEnd('\r')), seen.Select(s => s.Line));
            foreach ((string line, int fields) in seen)
            {
                lines++;
                if (fields != 0)
                {
                    counted++;
                    Assert.True(fields == (line.Contains('"', StringComparison.Ordinal) ? -1 : line.Count(c => c == ',') + 1), $"'{line}' was counted as {fields} fields");
                }
            }
        }

        Assert.True(counted > lines / 3, $"Only {counted} of {lines} lines were counted in the framer's pass.");
    }

    private struct Counting(List<(string Line, int Fields)> seen) : IRecordConsumer
    {
        public static int FieldSeparator => ',';

        public void OnRecord(ReadOnlySpan<byte> record) => seen.Add((Encoding.ASCII.GetString(record), 0));

        public void OnRecord(ReadOnlySpan<byte> record, int fields) => seen.Add((Encoding.ASCII.GetString(record), fields));
    }
}
