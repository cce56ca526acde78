using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Sinks.Console;

namespace Compiled.Tests.Sinks;

public class ConsoleSinkTests
{
    private const long BatchTime = 1700000001000;
    private const string Dashes = "-------------------------------------------";

    [Fact]
    public void ConsoleSink_DeclaresItselfAtLeastOnce_AndKnowsNoCommittedBatch()
    {
        // Printed text cannot be recalled: a batch replayed after a crash is printed again.
        Sink sink = ConnectorRegistry.CreateSink("console", new SinkContext { OpenStandardOutput = () => new MemoryStream() });

        Assert.Equal(SinkGuarantee.AtLeastOnce, sink.Guarantee);
        Assert.Null(sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task ConsoleSink_EmptyBatch_PrintsHeaderAndEmptyLine()
    {
        string output = await PrintAsync("console", (BatchTime, Records(0)));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, ""), output);
    }

    [Fact]
    public async Task ConsoleSink_OneRecord_PrintsIt()
    {
        string output = await PrintAsync("console", (BatchTime, Records(1)));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", ""), output);
    }

    [Fact]
    public async Task ConsoleSink_TenRecords_PrintsAllWithoutEllipsis()
    {
        string output = await PrintAsync("console", (BatchTime, Records(10)));

        Assert.Equal(
            Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", ""),
            output);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(25)]
    public async Task ConsoleSink_MoreThanTenRecords_PrintsFirstTenThenEllipsis(int count)
    {
        string output = await PrintAsync("console", (BatchTime, Records(count)));

        Assert.Equal(
            Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "...", ""),
            output);
    }

    [Fact]
    public async Task ConsoleSink_Num3_PrintsThreeThenEllipsis()
    {
        string output = await PrintAsync("console:?num=3", (BatchTime, Records(5)));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", "r2", "r3", "...", ""), output);
    }

    [Fact]
    public async Task ConsoleSink_Num3_ExactlyThreeRecords_HasNoEllipsis()
    {
        string output = await PrintAsync("console:?num=3", (BatchTime, Records(3)));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", "r2", "r3", ""), output);
    }

    [Fact]
    public async Task ConsoleSink_ConsoleColonForm_IsAccepted()
    {
        string output = await PrintAsync("console:", (BatchTime, Records(1)));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", ""), output);
    }

    [Fact]
    public async Task ConsoleSink_SeveralBatches_PrintEachInOrder()
    {
        string output = await PrintAsync(
            "console:?num=2",
            (1700000001000, Records(1)),
            (1700000002000, Records(0)),
            (1700000003000, Records(3)));

        Assert.Equal(
            Lines(
                Dashes, "Time: 1700000001000 ms", Dashes, "r1", "",
                Dashes, "Time: 1700000002000 ms", Dashes, "",
                Dashes, "Time: 1700000003000 ms", Dashes, "r1", "r2", "...", ""),
            output);
    }

    [Fact]
    public async Task ConsoleSink_NonAsciiAndInvalidUtf8_PassThroughByteForByte()
    {
        byte[][] records =
        [
            Encoding.UTF8.GetBytes("héllo wörld"),
            Encoding.UTF8.GetBytes("日本語 🎉"),
            [0xFF, 0xFE, (byte)'x', 0xC3], // Not valid UTF-8: the sink must not decode or replace anything.
        ];
        var stream = new MemoryStream();
        await using (Sink sink = await OpenAsync("console", stream))
        {
            sink.BeginBatch(BatchTime);
            foreach (byte[] record in records)
            {
                sink.Write(record);
            }

            await sink.CommitBatchAsync(CancellationToken.None);
        }

        byte[] expected =
        [
            .. Encoding.ASCII.GetBytes(Lines(Dashes, "Time: 1700000001000 ms", Dashes)),
            .. records[0], (byte)'\n',
            .. records[1], (byte)'\n',
            .. records[2], (byte)'\n',
            (byte)'\n',
        ];
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public async Task ConsoleSink_NothingReachesTheStreamBeforeCommit()
    {
        var stream = new MemoryStream();
        await using Sink sink = await OpenAsync("console", stream);

        sink.BeginBatch(BatchTime);
        sink.Write("r1"u8);
        Assert.Equal(0, stream.Length);

        await sink.CommitBatchAsync(CancellationToken.None);
        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, "r1", ""), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task ConsoleSink_AbortedBatch_PrintsNothing()
    {
        var stream = new MemoryStream();
        await using (Sink sink = await OpenAsync("console", stream))
        {
            sink.BeginBatch(1700000001000);
            sink.Write("lost"u8);
            sink.AbortBatch();

            sink.BeginBatch(1700000002000);
            sink.Write("kept"u8);
            await sink.CommitBatchAsync(CancellationToken.None);

            sink.BeginBatch(1700000003000);
            sink.Write("uncommitted at dispose"u8);
        }

        Assert.Equal(Lines(Dashes, "Time: 1700000002000 ms", Dashes, "kept", ""), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public async Task ConsoleSink_LongRecords_GrowTheBufferAndPrintWhole()
    {
        string big = new('x', 100_000);
        string output = await PrintAsync("console:?num=2", (BatchTime, [big, big, big]));

        Assert.Equal(Lines(Dashes, "Time: 1700000001000 ms", Dashes, big, big, "...", ""), output);
    }

    [Fact]
    public async Task ConsoleSink_WarmBatchOf1000Records_AllocatesNothing()
    {
        var stream = new MemoryStream(capacity: 1 << 20);
        await using Sink sink = await OpenAsync("console", stream);
        byte[] record = Encoding.UTF8.GetBytes("word\t12345");

        // Warm up: JIT, the buffer's size, the async method's first run.
        RunBatch(sink, BatchTime, record, 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunBatch(sink, BatchTime + 1000, record, 1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The commit writes synchronously (see ConsoleSink.CommitBatchAsync), so nothing is boxed: the bound is zero.
        Assert.Equal(0, allocated);
        Assert.EndsWith(Lines("word\t12345", "...", ""), Encoding.UTF8.GetString(stream.ToArray()));

        static void RunBatch(Sink sink, long time, byte[] record, int count)
        {
            sink.BeginBatch(time);
            for (int i = 0; i < count; i++)
            {
                sink.Write(record);
            }

            ValueTask commit = sink.CommitBatchAsync(CancellationToken.None);
            Assert.True(commit.IsCompletedSuccessfully);
            commit.GetAwaiter().GetResult();
        }
    }

    [Theory]
    [InlineData(32, "Broken pipe", true, "the console sink cannot write to standard output: Broken pipe (its reader has gone away); nothing more can be printed")]
    [InlineData(28, "No space left on device", false, "the console sink cannot write to standard output: No space left on device; nothing more can be printed")]
    public async Task ConsoleSink_WriteError_IsAStandardOutputExceptionGivingTheReason(int errno, string reason, bool closedByReader, string message)
    {
        // .NET reports a Unix write error as an IOException whose HResult is the errno: EPIPE 32, ENOSPC 28.
        var cause = new IOException(reason, errno);
        await using Sink sink = await OpenAsync("console", new FailingOutputStream(cause));
        sink.BeginBatch(BatchTime);
        sink.Write("r1"u8);

        var error = await Assert.ThrowsAsync<StandardOutputException>(() => sink.CommitBatchAsync(CancellationToken.None).AsTask());

        Assert.Equal(message, error.Message);
        Assert.Equal(closedByReader, error.IsClosedByReader);
        Assert.Same(cause, error.InnerException);
    }

    [Theory]
    [InlineData("console:?num=0", "num=0")]
    [InlineData("console:?num=-1", "num=-1")]
    [InlineData("console:?num=ten", "num=ten")]
    [InlineData("console:?limit=3", "unknown option 'limit'")]
    [InlineData("console:stderr", "console:?num=20")]
    public void ConsoleSink_BadUri_ThrowsConnectorUriExceptionSayingWhatToWrite(string uri, string expectedInMessage)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink(uri, new SinkContext { OpenStandardOutput = () => new MemoryStream() }));

        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal(uri, error.Uri);
    }

    [Fact]
    public void ConsoleSink_NumOption_IsRead()
    {
        var sink = (ConsoleSink)ConnectorRegistry.CreateSink("console:?num=7", new SinkContext());

        Assert.Equal(7, sink.Num);
        Assert.Equal(10, ((ConsoleSink)ConnectorRegistry.CreateSink("console", new SinkContext())).Num);
    }

    private static async Task<Sink> OpenAsync(string uri, Stream stream)
    {
        Sink sink = ConnectorRegistry.CreateSink(uri, new SinkContext { OpenStandardOutput = () => stream });
        await sink.OpenAsync(CancellationToken.None);
        return sink;
    }

    private static async Task<string> PrintAsync(string uri, params (long Time, string[] Records)[] batches)
    {
        var stream = new MemoryStream();
        await using (Sink sink = await OpenAsync(uri, stream))
        {
            foreach ((long time, string[] records) in batches)
            {
                sink.BeginBatch(time);
                foreach (string record in records)
                {
                    sink.Write(Encoding.UTF8.GetBytes(record));
                }

                await sink.CommitBatchAsync(CancellationToken.None);
            }
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string[] Records(int count)
    {
        var records = new string[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = "r" + (i + 1);
        }

        return records;
    }

    // Builds the expected text line by line with '\n' endings, so the expectation does not depend on how
    // this file's line endings were checked out.
    private static string Lines(params string[] lines) => string.Concat(lines.Select(line => line + "\n"));
}

/// <summary>An output stream whose every write fails with the given error, as a closed pipe or a full device does.</summary>
internal sealed class FailingOutputStream(IOException error) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => throw error;

    public override void Write(ReadOnlySpan<byte> buffer) => throw error;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
