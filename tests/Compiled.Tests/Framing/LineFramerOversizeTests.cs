using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>Records longer than the limit: failing names the stream and offset; skipping drops exactly that record.</summary>
public class LineFramerOversizeTests
{
    private const int Limit = 5;

    /// <summary>Inputs around a limit of 5, with the records expected when skipping and the offsets of the dropped ones.</summary>
    public static TheoryData<string, string[], long[]> Cases => new()
    {
        // Exactly the limit is accepted, with "\n", with "\r\n", and with "\r\n" split from the rest.
        { "abcde\nx\n", ["abcde", "x"], [] },
        { "abcde\r\nx\r\n", ["abcde", "x"], [] },
        { "abcde", ["abcde"], [] },
        // One more is not, whether it ends in "\n", "\r\n", or the end of the stream.
        { "ok\nabcdef\nx\n", ["ok", "x"], [3] },
        { "ok\nabcdef\r\nx\n", ["ok", "x"], [3] },
        { "ok\nabcdef", ["ok"], [3] },
        // A final record keeps its '\r', which counts.
        { "ok\nabcde\r", ["ok"], [3] },
        // A '\r' that is not before a '\n' is part of the record, and counts.
        { "abcd\r\r\n", ["abcd\r"], [] },
        { "abcde\r\r\n", [], [0] },
        // A long record, dropped long before its newline could arrive, then the framing goes on.
        { "a\n" + "0123456789012345678901234567890123456789" + "\r\nb\n\nc", ["a", "b", "", "c"], [2] },
        { "0123456789\n0123456789\nend\n", ["end"], [0, 11] },
        // A long record at the very end, without a newline.
        { "a\r\n0123456789012345", ["a"], [3] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Framer_SkipDropsOversizeRecords_AcrossChunkings(string input, string[] records, long[] dropped)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(input);
        string want = RandomStreams.Show(records.Select(Encoding.ASCII.GetBytes));
        var options = new FramingOptions(Limit, OversizePolicy.Skip);
        foreach ((string how, FramingOutcome outcome) in await AllChunkingsAsync(bytes, options))
        {
            Assert.True(RandomStreams.Show(outcome.Records) == want, $"{how}: expected {want}, got {RandomStreams.Show(outcome.Records)}");
            Assert.True(outcome.OversizeSkipped == dropped.Length, $"{how}: {outcome.OversizeSkipped} skipped; expected {dropped.Length}");
            Assert.Null(outcome.Error);
            Assert.Equal(records.Length, outcome.Counted);
            Assert.Equal(bytes.Length, outcome.Bytes);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Framer_FailNamesStreamAndOffset_AcrossChunkings(string input, string[] records, long[] dropped)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(input);
        var options = new FramingOptions(Limit, OversizePolicy.Fail);
        foreach ((string how, FramingOutcome outcome) in await AllChunkingsAsync(bytes, options))
        {
            if (dropped.Length == 0)
            {
                Assert.Null(outcome.Error);
                Assert.Equal(records.Length, outcome.Records.Count);
                continue;
            }

            RecordTooLongException? error = outcome.Error;
            Assert.True(error is not null, $"{how}: no exception");
            Assert.True(error.Offset == dropped[0], $"{how}: offset {error.Offset}; expected {dropped[0]}");
            Assert.Equal("test://stream", error.StreamName);
            Assert.Equal(Limit, error.MaxRecordBytes);
            Assert.Contains("'test://stream'", error.Message, StringComparison.Ordinal);
            Assert.Contains($"byte offset {dropped[0]} ", error.Message, StringComparison.Ordinal);
            Assert.Contains("maxRecordBytes", error.Message, StringComparison.Ordinal);
            Assert.Contains("onOversize=skip", error.Message, StringComparison.Ordinal);
            Assert.IsAssignableFrom<IOException>(error);
        }
    }

    [Fact]
    public void Framer_OversizeIsDetectedBeforeItsNewline()
    {
        // Memory is bounded: a record that can no longer fit is reported as soon as the bytes show it,
        // and with Skip everything read of it is consumed at once.
        var counters = new SourceCounters();
        var records = new List<byte[]>();
        var consumer = new CollectingConsumer(records);
        using var skip = new LineFramer(new FramingOptions(Limit, OversizePolicy.Skip), counters);
        skip.Reset("s");

        // Five bytes and a '\r' may still be a record of exactly the limit: wait.
        var buffer = new ReadOnlySequence<byte>("abcde\r"u8.ToArray());
        SequencePosition consumed = skip.Frame(buffer, isCompleted: false, ref consumer);
        Assert.Equal(0, buffer.Slice(buffer.Start, consumed).Length);
        Assert.Equal(0, counters.OversizeSkipped);

        // Seven bytes without a newline cannot be: drop them now.
        buffer = TestSegment.Split("abcde\rx"u8.ToArray(), [6]);
        consumed = skip.Frame(buffer, isCompleted: false, ref consumer);
        Assert.Equal(7, buffer.Slice(buffer.Start, consumed).Length);
        Assert.Equal(1, counters.OversizeSkipped);

        // The rest of the dropped record goes too, up to and including its newline, however long it is.
        for (int i = 0; i < 10; i++)
        {
            buffer = new ReadOnlySequence<byte>("more bytes of it"u8.ToArray());
            consumed = skip.Frame(buffer, isCompleted: false, ref consumer);
            Assert.Equal(0, buffer.Slice(consumed).Length);
        }

        buffer = new ReadOnlySequence<byte>("end\r\nnext\n"u8.ToArray());
        skip.Frame(buffer, isCompleted: false, ref consumer);
        Assert.Equal(RandomStreams.Show([[.. "next"u8]]), RandomStreams.Show(records));
        Assert.Equal(1, counters.OversizeSkipped);
        Assert.Equal(7 + 160 + 10, skip.Offset);

        using var fail = new LineFramer(new FramingOptions(Limit, OversizePolicy.Fail), new SourceCounters());
        fail.Reset("f");
        fail.Frame(new ReadOnlySequence<byte>("ok\nabcdef"u8.ToArray()[..8]), isCompleted: false, ref consumer);
        RecordTooLongException error = Assert.Throws<RecordTooLongException>(
            () => fail.Frame(new ReadOnlySequence<byte>("abcdef\r"u8.ToArray()), isCompleted: false, ref consumer));
        Assert.Equal(3, error.Offset);
    }

    // Feeds the input every way: through a pipe in writes of 1 to 7 bytes, as whole-input sequences with
    // 1-byte segments and with every single cut, and through the driver loop with random cuts.
    private static async Task<List<(string How, FramingOutcome Outcome)>> AllChunkingsAsync(byte[] bytes, FramingOptions options)
    {
        var outcomes = new List<(string, FramingOutcome)>();
        for (int write = 1; write <= 7; write++)
        {
            outcomes.Add(($"pipe writes of {write}", await FramingDriver.ThroughPipeAsync([.. bytes.Chunk(write)], options, segmentSize: 1 + (write % 3))));
        }

        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            // Two calls: all bytes up to the cut, then the rest with the end of the stream.
            outcomes.Add(($"driver cut at {cut}", FramingDriver.ThroughSequences(
                cut == 0 ? [bytes] : [bytes[..cut], bytes[cut..]], options, new Random(cut), finalChunkCompletes: true)));
        }

        outcomes.Add(("1-byte chunks", FramingDriver.ThroughSequences([.. bytes.Chunk(1)], options, new Random(0), finalChunkCompletes: false)));
        outcomes.Add(("one call, 1-byte segments", FramingDriver.ThroughOneSequence(TestSegment.Chunked(bytes, 1), options)));
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            outcomes.Add(($"driver seed {seed}", FramingDriver.ThroughSequences(RandomStreams.Chunks(random, bytes), options, random, finalChunkCompletes: seed % 2 == 0)));
        }

        return outcomes;
    }
}
