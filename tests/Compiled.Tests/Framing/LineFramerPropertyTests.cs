using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>
/// Random streams, random chunkings, random segment cuts: the framer must agree with the naive reference
/// splitter every time. Seeds are fixed; a failure names the seed, the input and the chunking.
/// </summary>
public class LineFramerPropertyTests
{
    private const int CasesPerSeed = 600;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Framer_RandomStreams_MatchReference(int seed)
    {
        var random = new Random(seed);
        var options = new FramingOptions(MaxRecordBytes: 1024);
        for (int i = 0; i < CasesPerSeed; i++)
        {
            byte[] input = RandomStreams.Input(random, maxLength: random.Next(4) == 0 ? 400 : 40);
            List<byte[]> chunks = RandomStreams.Chunks(random, input, 1, random.Next(2) == 0 ? 7 : 64);
            bool finalChunkCompletes = random.Next(2) == 0;
            FramingOutcome outcome = FramingDriver.ThroughSequences(chunks, options, random, finalChunkCompletes);
            Check(seed, i, input, chunks, options, outcome);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task Framer_RandomStreamsThroughPipe_MatchReference(int seed)
    {
        var random = new Random(seed);
        var options = new FramingOptions(MaxRecordBytes: 1024);
        for (int i = 0; i < CasesPerSeed / 2; i++)
        {
            byte[] input = RandomStreams.Input(random, maxLength: 60);
            List<byte[]> chunks = RandomStreams.Chunks(random, input);
            FramingOutcome outcome = await FramingDriver.ThroughPipeAsync(chunks, options, segmentSize: random.Next(1, 9));
            Check(seed, i, input, chunks, options, outcome);
        }
    }

    [Theory]
    [InlineData(21, OversizePolicy.Skip)]
    [InlineData(22, OversizePolicy.Skip)]
    [InlineData(23, OversizePolicy.Fail)]
    [InlineData(24, OversizePolicy.Fail)]
    public void Framer_RandomStreamsWithSmallLimit_MatchReference(int seed, OversizePolicy policy)
    {
        var random = new Random(seed);
        for (int i = 0; i < CasesPerSeed; i++)
        {
            // Limits near typical record lengths, so records of exactly the limit, one more, and "\r\n" at the limit all occur.
            var options = new FramingOptions(MaxRecordBytes: random.Next(1, 8), policy);
            byte[] input = RandomStreams.Input(random, maxLength: 50);
            List<byte[]> chunks = RandomStreams.Chunks(random, input);
            long maxUnconsumed = 0;
            FramingOutcome outcome = FramingDriver.ThroughSequences(
                chunks, options, random, finalChunkCompletes: random.Next(2) == 0, afterFrame: unconsumed => maxUnconsumed = Math.Max(maxUnconsumed, unconsumed));
            Check(seed, i, input, chunks, options, outcome);

            // Memory is bounded: what is left unconsumed is at most the limit and a '\r' waiting for its '\n'.
            Assert.True(maxUnconsumed <= options.MaxRecordBytes + 1, $"seed {seed}, case {i}: {maxUnconsumed} bytes left unconsumed with a limit of {options.MaxRecordBytes}.");
        }
    }

    [Theory]
    [InlineData(31, OversizePolicy.Skip)]
    [InlineData(32, OversizePolicy.Fail)]
    public async Task Framer_RandomStreamsWithSmallLimitThroughPipe_MatchReference(int seed, OversizePolicy policy)
    {
        var random = new Random(seed);
        for (int i = 0; i < CasesPerSeed / 2; i++)
        {
            var options = new FramingOptions(MaxRecordBytes: random.Next(1, 8), policy);
            byte[] input = RandomStreams.Input(random, maxLength: 50);
            List<byte[]> chunks = RandomStreams.Chunks(random, input);
            FramingOutcome outcome = await FramingDriver.ThroughPipeAsync(chunks, options, segmentSize: random.Next(1, 9));
            Check(seed, i, input, chunks, options, outcome);
        }
    }

    // Compares one run with the reference: the records, and the first oversize record's offset (Fail) or the
    // number dropped (Skip). With Fail, exactly the records before the oversize one must have been delivered.
    private static void Check(int seed, int index, byte[] input, List<byte[]> chunks, FramingOptions options, FramingOutcome outcome)
    {
        ReferenceOutcome reference = ReferenceSplitter.Split(input, options.MaxRecordBytes);
        List<byte[]> expected = reference.Records;
        string problem = "";
        if (options.Oversize == OversizePolicy.Fail && reference.OversizeOffsets.Count > 0)
        {
            long offset = reference.OversizeOffsets[0];
            expected = [.. reference.Records.Take(RecordsBefore(input, offset, options.MaxRecordBytes))];
            if (outcome.Error is null)
            {
                problem = $"no RecordTooLongException; expected one at offset {offset}";
            }
            else if (outcome.Error.Offset != offset || outcome.Error.StreamName != "test://stream")
            {
                problem = $"the exception names '{outcome.Error.StreamName}' at offset {outcome.Error.Offset}; expected offset {offset}";
            }
        }
        else if (outcome.Error is not null)
        {
            problem = $"unexpected exception: {outcome.Error.Message}";
        }
        else if (outcome.OversizeSkipped != reference.OversizeOffsets.Count)
        {
            problem = $"{outcome.OversizeSkipped} records skipped; expected {reference.OversizeOffsets.Count}";
        }
        else if (outcome.Bytes != input.Length || outcome.Counted != expected.Count)
        {
            problem = $"counters say {outcome.Counted} records and {outcome.Bytes} bytes; expected {expected.Count} and {input.Length}";
        }

        string want = RandomStreams.Show(expected);
        string got = RandomStreams.Show(outcome.Records);
        if (problem.Length == 0 && want != got)
        {
            problem = $"expected records {want}, got {got}";
        }

        if (problem.Length != 0)
        {
            Assert.Fail(
                $"seed {seed}, case {index}, limit {options.MaxRecordBytes} ({options.Oversize}): {problem}\n"
                + $"input {RandomStreams.Show(input)}\nchunks {string.Join(" | ", chunks.Select(RandomStreams.Show))}");
        }
    }

    // How many of the reference's records start before the oversize record at offset.
    private static int RecordsBefore(byte[] input, long offset, int max) =>
        ReferenceSplitter.Split(input[..(int)offset], max).Records.Count;
}
