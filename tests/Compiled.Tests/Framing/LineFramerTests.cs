using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>
/// The framing rules, case by case, each fed every way a stream can arrive: whole, cut at every possible
/// set of points (1-byte segments included), through a real pipe in tiny writes, and as the driver sees it.
/// </summary>
public class LineFramerTests
{
    private static readonly FramingOptions Roomy = new(MaxRecordBytes: 64);

    /// <summary>Inputs and the records the spec says they hold (written out by hand, not by the reference splitter).</summary>
    public static TheoryData<string, string[]> Cases => new()
    {
        { "", [] },
        { "\n", [""] },
        { "a\nb\n", ["a", "b"] },
        { "a\r\nb\r\n", ["a", "b"] },
        { "a\nb", ["a", "b"] },
        { "abc", ["abc"] },
        { "\n\n\r\n", ["", "", ""] },
        { "\r\n", [""] },
        { "\r", ["\r"] },
        { "abc\r", ["abc\r"] },
        { "abc\r\n\r", ["abc", "\r"] },
        { "a\rb\n", ["a\rb"] },
        { "\r\r\n", ["\r"] },
        { "x\r\r\n\r\n", ["x\r", ""] },
        { "héllo wörld\r\nñ\n", ["héllo wörld", "ñ"] },
        { "one\ntwo\r\n\nthree", ["one", "two", "", "three"] },
        { "\n\nend\r\n", ["", "", "end"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Framer_EverySegmentation_YieldsTheSpecRecords(string input, string[] expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        string want = RandomStreams.Show(expected.Select(Encoding.UTF8.GetBytes));

        // Every subset of the cut points: all 1-byte segments, a CRLF split between segments, and the rest.
        int gaps = Math.Max(0, bytes.Length - 1);
        for (int mask = 0; mask < 1 << gaps; mask++)
        {
            var cuts = new List<int>();
            for (int gap = 0; gap < gaps; gap++)
            {
                if ((mask & (1 << gap)) != 0)
                {
                    cuts.Add(gap + 1);
                }
            }

            var records = new List<byte[]>();
            var consumer = new CollectingConsumer(records);
            var counters = new SourceCounters();
            using var framer = new LineFramer(Roomy, counters);
            framer.Reset("case");
            ReadOnlySequence<byte> buffer = TestSegment.Split(bytes, cuts);
            SequencePosition consumed = framer.Frame(buffer, isCompleted: true, ref consumer);

            string cutText = string.Join(",", cuts);
            Assert.True(RandomStreams.Show(records) == want, $"cuts [{cutText}]: expected {want}, got {RandomStreams.Show(records)}");
            Assert.Equal(bytes.Length, buffer.Slice(buffer.Start, consumed).Length);
            Assert.Equal(expected.Length, counters.Records);
            Assert.Equal(bytes.Length, counters.Bytes);
            Assert.Equal(bytes.Length, framer.Offset);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Framer_ThroughPipeInTinyWrites_YieldsTheSpecRecords(string input, string[] expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        string want = RandomStreams.Show(expected.Select(Encoding.UTF8.GetBytes));
        for (int write = 1; write <= 7; write++)
        {
            for (int segment = 1; segment <= 3; segment++)
            {
                List<byte[]> chunks = [.. bytes.Chunk(write)];
                FramingOutcome outcome = await FramingDriver.ThroughPipeAsync(chunks, Roomy, segment);
                Assert.True(RandomStreams.Show(outcome.Records) == want, $"writes of {write}, segments of {segment}: expected {want}, got {RandomStreams.Show(outcome.Records)}");
                Assert.Null(outcome.Error);
                Assert.Equal(bytes.Length, outcome.Bytes);
                Assert.Equal(expected.Length, outcome.Counted);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Framer_DriverLoopOverSequences_YieldsTheSpecRecords(string input, string[] expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(input);
        string want = RandomStreams.Show(expected.Select(Encoding.UTF8.GetBytes));
        for (int seed = 0; seed < 50; seed++)
        {
            var random = new Random(seed);
            List<byte[]> chunks = RandomStreams.Chunks(random, bytes);
            FramingOutcome outcome = FramingDriver.ThroughSequences(chunks, Roomy, random, finalChunkCompletes: seed % 2 == 0);
            Assert.True(RandomStreams.Show(outcome.Records) == want, $"seed {seed}: expected {want}, got {RandomStreams.Show(outcome.Records)}");
            Assert.Equal(bytes.Length, outcome.Bytes);
        }
    }

    [Fact]
    public async Task Framer_CrLfSplitAcrossSegments()
    {
        byte[] bytes = "abc\r\ndef\r\n\r\n"u8.ToArray();
        string want = RandomStreams.Show([[.. "abc"u8], [.. "def"u8], []]);

        // Hand-built: every "\r" ends a segment and its "\n" starts the next.
        ReadOnlySequence<byte> buffer = TestSegment.Split(bytes, [4, 9, 11]);
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using (var framer = new LineFramer(Roomy, new SourceCounters()))
        {
            framer.Reset("crlf");
            framer.Frame(buffer, isCompleted: false, ref consumer);
        }

        Assert.Equal(want, RandomStreams.Show(records));

        // Through a pipe: the writes end in "\r", and the driver reads between them.
        FramingOutcome outcome = await FramingDriver.ThroughPipeAsync([bytes[..4], bytes[4..9], bytes[9..11], bytes[11..]], Roomy, segmentSize: 1);
        Assert.Equal(want, RandomStreams.Show(outcome.Records));
        Assert.True(outcome.MultiSegmentReads > 0, "The pipe never handed the framer a buffer of several segments.");
    }

    [Fact]
    public void Framer_ReturnsStartOfFirstIncompleteRecord()
    {
        var counters = new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var framer = new LineFramer(Roomy, counters);
        framer.Reset("partial");

        // "ab\n" is whole; "cd" waits for its newline.
        ReadOnlySequence<byte> first = TestSegment.Split("ab\ncd"u8.ToArray(), [1, 4]);
        SequencePosition consumed = framer.Frame(first, isCompleted: false, ref consumer);
        Assert.Equal(3, first.Slice(first.Start, consumed).Length);
        Assert.Equal(3, framer.Offset);
        Assert.Equal(1, counters.Records);
        Assert.Equal(3, counters.Bytes);

        // The driver passes the unconsumed "cd" again, with more bytes; a '\r' waits too, for its '\n' may follow.
        ReadOnlySequence<byte> second = TestSegment.Split("cde\r"u8.ToArray(), [2]);
        consumed = framer.Frame(second, isCompleted: false, ref consumer);
        Assert.Equal(0, second.Slice(second.Start, consumed).Length);
        Assert.Equal(3, framer.Offset);

        ReadOnlySequence<byte> third = TestSegment.Split("cde\r\nf"u8.ToArray(), [4]);
        consumed = framer.Frame(third, isCompleted: false, ref consumer);
        Assert.Equal(5, third.Slice(third.Start, consumed).Length);
        Assert.Equal(8, framer.Offset);
        Assert.Equal(RandomStreams.Show([[.. "ab"u8], [.. "cde"u8]]), RandomStreams.Show(records));
        Assert.Equal(2, counters.Records);
        Assert.Equal(8, counters.Bytes);
    }

    [Fact]
    public void Framer_FinalRecordOnlyWhenCompleted()
    {
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var framer = new LineFramer(Roomy, new SourceCounters());
        framer.Reset("final");
        var buffer = new ReadOnlySequence<byte>("a\nlast\r"u8.ToArray());

        SequencePosition consumed = framer.Frame(buffer, isCompleted: false, ref consumer);
        Assert.Equal(RandomStreams.Show([[.. "a"u8]]), RandomStreams.Show(records));

        consumed = framer.Frame(buffer.Slice(consumed), isCompleted: true, ref consumer);
        Assert.Equal(RandomStreams.Show([[.. "a"u8], [.. "last\r"u8]]), RandomStreams.Show(records));
        Assert.Equal(7, framer.Offset);
    }

    [Fact]
    public void Framer_ResetStartsANewStream()
    {
        var counters = new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var framer = new LineFramer(new FramingOptions(MaxRecordBytes: 4), counters);

        // Stream "a" stops in the middle of a record that has been searched already (the run was stopped).
        framer.Reset("a");
        framer.Frame(new ReadOnlySequence<byte>("x\nabc"u8.ToArray()), isCompleted: false, ref consumer);

        // Stream "b" starts afresh: its first bytes are searched, and its offsets count from 0.
        framer.Reset("b");
        framer.Frame(new ReadOnlySequence<byte>("\n\n\nok\n"u8.ToArray()), isCompleted: false, ref consumer);
        Assert.Equal(RandomStreams.Show([[.. "x"u8], [], [], [], [.. "ok"u8]]), RandomStreams.Show(records));
        Assert.Equal(6, framer.Offset);

        RecordTooLongException error = Assert.Throws<RecordTooLongException>(
            () => framer.Frame(new ReadOnlySequence<byte>("toolong\n"u8.ToArray()), isCompleted: false, ref consumer));
        Assert.Equal("b", error.StreamName);
        Assert.Equal(6, error.Offset);
    }

    [Fact]
    public void Framer_ResetEndsASkipInProgress()
    {
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        var counters = new SourceCounters();
        using var framer = new LineFramer(new FramingOptions(MaxRecordBytes: 2, OversizePolicy.Skip), counters);

        // Stream "a" is cut off inside a record being dropped.
        framer.Reset("a");
        framer.Frame(new ReadOnlySequence<byte>("abcdef"u8.ToArray()), isCompleted: false, ref consumer);
        Assert.Equal(1, counters.OversizeSkipped);

        // Stream "b"'s first record is not part of it.
        framer.Reset("b");
        framer.Frame(new ReadOnlySequence<byte>("ok\n"u8.ToArray()), isCompleted: false, ref consumer);
        Assert.Equal(RandomStreams.Show([[.. "ok"u8]]), RandomStreams.Show(records));
    }

    [Fact]
    public async Task Framer_PipeReadsAreReallyMultiSegment()
    {
        // The pipe tests prove something only if the pipe hands out buffers of several segments.
        byte[] bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i}\r\n")));
        FramingOutcome outcome = await FramingDriver.ThroughPipeAsync([.. bytes.Chunk(3)], Roomy, segmentSize: 2);
        Assert.True(outcome.MultiSegmentReads > 10, $"Only {outcome.MultiSegmentReads} multi-segment reads.");
        Assert.Equal(40, outcome.Records.Count);
    }

    [Fact]
    public void Framer_RejectsBadArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new LineFramer(null!, new SourceCounters()));
        Assert.Throws<ArgumentNullException>(() => new LineFramer(FramingOptions.Default, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineFramer(new FramingOptions(MaxRecordBytes: 0), new SourceCounters()));
    }
}
