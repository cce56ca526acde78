using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>
/// <see cref="LineEnds"/> finds, call after call over one span, what <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, T)"/>
/// finds: lines shorter than a 64-byte block, as long as several, longer than the four searched by blocks, ends in a span's
/// last bytes, and searches that start further on than the last end (the framer's bytes already scanned).
/// </summary>
public class LineEndsTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 70)]
    [InlineData(3, 130)]
    [InlineData(4, 400)]
    public void Next_CallAfterCall_AgreesWithIndexOf(int seed, int maxLine)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] text = RandomLines(random, length: random.Next(0, 1500), maxLine);
            var ends = new LineEnds();
            int from = 0;
            while (from <= text.Length)
            {
                int found = text.AsSpan(from).IndexOf((byte)'\n');
                int expected = found < 0 ? -1 : from + found;
                int actual = ends.Next(text, from);
                Assert.True(expected == actual, $"seed {seed}, trial {trial}, length {text.Length}, from {from}: expected {expected}, found {actual}");
                if (actual < 0)
                {
                    break;
                }

                // Mostly the next record, as the framer asks; now and then a jump further on.
                from = actual + 1 + (random.Next(8) == 0 ? random.Next(0, 100) : 0);
            }
        }
    }

    [Theory]
    [InlineData(5, 8)]
    [InlineData(6, 70)]
    [InlineData(7, 130)]
    [InlineData(8, 400)]
    public void NextCounting_CallAfterCall_AgreesWithIndexOfCounting(int seed, int maxLine)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] text = RandomLines(random, length: random.Next(0, 1500), maxLine);
            // Separators in most lines, a quote in some.
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != (byte)'\n')
                {
                    int pick = random.Next(100);
                    text[i] = pick < 12 ? (byte)',' : pick == 12 ? (byte)'"' : text[i];
                }
            }

            var ends = new LineEnds();
            int from = 0;
            while (from <= text.Length)
            {
                int expected = Compiled.Internal.ByteSearch.IndexOfCounting(text, from, (byte)'\n', (byte)',', out int expectedSeparators, out bool expectedQuote);
                int actual = ends.NextCounting(text, from, (byte)',', out int separators, out bool quote);
                string where = $"seed {seed}, trial {trial}, length {text.Length}, from {from}";
                Assert.True(expected == actual, $"{where}: expected the end at {expected}, found {actual}");
                if (actual < 0)
                {
                    break;
                }

                Assert.True(expectedSeparators == separators, $"{where}: expected {expectedSeparators} separators, counted {separators}");
                Assert.True(expectedQuote == quote, $"{where}: expected quote {expectedQuote}, found {quote}");
                from = actual + 1 + (random.Next(8) == 0 ? random.Next(0, 100) : 0);
            }
        }
    }

    [Fact]
    public void Next_ReadsNothingPastTheText()
    {
        // A '\n' just past the slice's end, in the same array: a search that read beyond the text would find it.
        byte[] buffer = new byte[700];
        buffer.AsSpan().Fill((byte)'x');
        for (int length = 0; length < 600; length++)
        {
            buffer[length] = (byte)'\n';
            var ends = new LineEnds();
            Assert.Equal(-1, ends.Next(buffer.AsSpan(0, length), 0));
            buffer[length] = (byte)'x';
        }
    }

    [Fact]
    public void Framer_LongSpansOfRandomLines_MatchesTheLines()
    {
        // Whole spans of hundreds of lines of every length handed to the framer in one segment: the records it gives are the lines.
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] text = RandomLines(random, length: random.Next(64, 5000), maxLine: random.Next(2) == 0 ? 120 : 600);
            var expected = new List<string>();
            int start = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == (byte)'\n')
                {
                    expected.Add(System.Text.Encoding.ASCII.GetString(text, start, i - start));
                    start = i + 1;
                }
            }

            var framed = new List<string>();
            var framer = new LineFramer(new FramingOptions(MaxRecordBytes: 1 << 20), new Compiled.Connectors.SourceCounters());
            var consumer = new Collect(framed);
            var sequence = new System.Buffers.ReadOnlySequence<byte>(text);
            framer.Frame(sequence, isCompleted: false, ref consumer);
            Assert.Equal(expected, framed);
        }
    }

    private static byte[] RandomLines(Random random, int length, int maxLine)
    {
        byte[] text = new byte[length];
        int next = random.Next(0, maxLine + 1);
        for (int i = 0; i < length; i++)
        {
            if (next-- == 0)
            {
                text[i] = (byte)'\n';
                next = random.Next(0, maxLine + 1);
            }
            else
            {
                text[i] = (byte)('a' + random.Next(26));
            }
        }

        return text;
    }

    private readonly struct Collect(List<string> records) : IRecordConsumer
    {
        public void OnRecord(ReadOnlySpan<byte> record) => records.Add(System.Text.Encoding.ASCII.GetString(record));
    }
}
