using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Sinks.Files;

namespace Compiled.Tests.Sinks;

public sealed class FileSinkTests : IDisposable
{
    private const long BatchTime = 1700000001000;

    // Each test gets its own directory, so tests can run in parallel and a listing shows only its files.
    private readonly string _root = Path.Combine(Path.GetTempPath(), "compiled-filesink-" + Guid.NewGuid().ToString("N"));

    public FileSinkTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FileSink_WithSuffix_WritesPrefixDashTimeDotSuffixWithOneRecordPerLine()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/out/part?suffix=txt");

        await WriteBatchAsync(sink, BatchTime, "alpha", "beta", "", "gamma delta");

        Assert.Equal(["part-1700000001000.txt"], ListNames(Path.Combine(_root, "out")));
        Assert.Equal("alpha\nbeta\n\ngamma delta\n", File.ReadAllText(Path.Combine(_root, "out", "part-1700000001000.txt")));
    }

    [Fact]
    public async Task FileSink_WithoutSuffix_WritesPrefixDashTime()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part");

        await WriteBatchAsync(sink, BatchTime, "one");

        Assert.Equal(["part-1700000001000"], ListNames(_root));
        Assert.Equal("one\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000")));
    }

    [Fact]
    public async Task FileSink_DuringBatch_OnlyAHiddenTemporaryFileExists_AfterCommit_OnlyTheFinalFile()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");

        sink.BeginBatch(BatchTime);
        sink.Write("a"u8);
        sink.Write("b"u8);

        string[] during = ListNames(_root);
        string temporary = Assert.Single(during);
        Assert.StartsWith(".", temporary, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "part-1700000001000.txt")));

        await sink.CommitBatchAsync(CancellationToken.None);

        Assert.Equal(["part-1700000001000.txt"], ListNames(_root));
        Assert.Equal("a\nb\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Fact]
    public async Task FileSink_AbortedBatch_LeavesNoFile()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");

        sink.BeginBatch(BatchTime);
        sink.Write("lost"u8);
        sink.AbortBatch();

        Assert.Empty(ListNames(_root));

        // The sink is usable after an abort.
        await WriteBatchAsync(sink, BatchTime + 1000, "kept");
        Assert.Equal(["part-1700000002000.txt"], ListNames(_root));
    }

    [Fact]
    public async Task FileSink_DisposedMidBatch_LeavesNoFile()
    {
        Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");
        sink.BeginBatch(BatchTime);
        sink.Write("lost"u8);

        await sink.DisposeAsync();

        Assert.Empty(ListNames(_root));
    }

    [Fact]
    public async Task FileSink_EmptyBatch_WritesAnEmptyFile()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");

        await WriteBatchAsync(sink, BatchTime);

        Assert.Equal(["part-1700000001000.txt"], ListNames(_root));
        Assert.Equal(0, new FileInfo(Path.Combine(_root, "part-1700000001000.txt")).Length);
    }

    [Fact]
    public async Task FileSink_SeveralBatches_OneFileEach()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=log");

        await WriteBatchAsync(sink, 1700000001000, "1a", "1b");
        await WriteBatchAsync(sink, 1700000002000);
        await WriteBatchAsync(sink, 1700000003000, "3a");

        Assert.Equal(["part-1700000001000.log", "part-1700000002000.log", "part-1700000003000.log"], ListNames(_root));
        Assert.Equal("1a\n1b\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.log")));
        Assert.Equal("", File.ReadAllText(Path.Combine(_root, "part-1700000002000.log")));
        Assert.Equal("3a\n", File.ReadAllText(Path.Combine(_root, "part-1700000003000.log")));
    }

    [Fact]
    public async Task FileSink_ExistingOutput_FailsTheCommitAndKeepsTheEarlierFile()
    {
        // A second run writing the same prefix must not make the first run's output vanish.
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");

        await WriteBatchAsync(sink, BatchTime, "first run", "longer than the second");
        var error = await Assert.ThrowsAsync<IOException>(() => WriteBatchAsync(sink, BatchTime, "second run"));
        sink.AbortBatch();

        Assert.Contains("part-1700000001000.txt', already exists: another run wrote it. Write to another prefix or directory", error.Message, StringComparison.Ordinal);
        Assert.Equal(["part-1700000001000.txt"], ListNames(_root));
        Assert.Equal("first run\nlonger than the second\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Theory]
    [InlineData("file://rel/dir/part?suffix=csv")]
    [InlineData("file:rel/dir/part?suffix=csv")]
    public async Task FileSink_RelativePath_IsUnderCurrentDirectory_AndItsDirectoryIsCreated(string uri)
    {
        Sink sink = ConnectorRegistry.CreateSink(uri, new SinkContext { CurrentDirectory = _root });
        await using (sink)
        {
            await sink.OpenAsync(CancellationToken.None);
            await WriteBatchAsync(sink, BatchTime, "x");
        }

        Assert.Equal("x\n", File.ReadAllText(Path.Combine(_root, "rel", "dir", "part-1700000001000.csv")));
        Assert.Equal(Path.Combine(_root, "rel", "dir"), ((FileSink)sink).Directory);
    }

    [Fact]
    public async Task FileSink_NonAsciiAndInvalidUtf8_PassThroughByteForByte()
    {
        byte[][] records = [Encoding.UTF8.GetBytes("grüße 日本 🎉"), [0xFF, 0xFE, (byte)'x', 0xC3]];
        await using Sink sink = await OpenAsync($"file://{_root}/part");

        sink.BeginBatch(BatchTime);
        foreach (byte[] record in records)
        {
            sink.Write(record);
        }

        await sink.CommitBatchAsync(CancellationToken.None);

        byte[] expected = [.. records[0], (byte)'\n', .. records[1], (byte)'\n'];
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(_root, "part-1700000001000")));
    }

    [Fact]
    public async Task FileSink_RecordsCrossingAndExceedingTheBuffer_AreWrittenExactly()
    {
        // Lines of varied lengths cross the 64 KiB buffer's edge many times; two are longer than the buffer.
        var expected = new StringBuilder();
        var records = new List<string>();
        for (int i = 0; i < 3000; i++)
        {
            string record = i % 1000 == 500
                ? new string((char)('a' + (i % 26)), FileSink.BufferSize + 123)
                : new string((char)('a' + (i % 26)), i % 97) + i;
            records.Add(record);
            expected.Append(record).Append('\n');
        }

        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");
        await WriteBatchAsync(sink, BatchTime, [.. records]);

        Assert.Equal(expected.ToString(), File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Fact]
    public async Task FileSink_WarmWritesOf1000Records_AllocateNothing()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");
        byte[] record = Encoding.UTF8.GetBytes("word\t12345");
        await WriteBatchAsync(sink, BatchTime, "warm");

        sink.BeginBatch(BatchTime + 1000);
        sink.Write(record);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sink.Write(record);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await sink.CommitBatchAsync(CancellationToken.None);

        // Per batch the sink allocates its file handle and two path names; per record, nothing.
        Assert.Equal(0, allocated);
        Assert.Equal(1001 * record.Length + 1001, new FileInfo(Path.Combine(_root, "part-1700000002000.txt")).Length);
    }

    [Theory]
    [InlineData("file:///tmp/x/", "add one, e.g. file:///tmp/x/part?suffix=txt")]
    [InlineData("file://out/", "add one, e.g. file://out/part?suffix=txt")]
    [InlineData("file:", "names no directory or prefix")]
    [InlineData("file:///tmp/x/..", "no file prefix")]
    [InlineData("file:///tmp/x/.part", "starts with '.'")]
    [InlineData("file:///tmp/x/part?sufix=txt", "unknown option 'sufix'; the options of a file sink are: empty, format, suffix")]
    [InlineData("file:///tmp/x/part?empty=none", "is not valid; write write or skip")]
    [InlineData("file:///tmp/x/part?suffix=.txt", "suffix=txt")]
    [InlineData("file:///tmp/x/part?suffix=a/b", "suffix=txt")]
    public void FileSink_BadUri_ThrowsConnectorUriExceptionSayingWhatToWrite(string uri, string expectedInMessage)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink(uri, new SinkContext { CurrentDirectory = _root }));

        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal(uri, error.Uri);
    }

    [Fact]
    public void FileSink_Creation_LeavesNoFiles()
    {
        // Creating a sink checks its URI and that its directory could be created, without a trace; the directory
        // appears at OpenAsync.
        ConnectorRegistry.CreateSink($"file://{_root}/later/part", new SinkContext());

        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void FileSink_PrefixUnderARegularFile_SaysTheFileIsNotADirectory()
    {
        File.WriteAllText(Path.Combine(_root, "x.txt"), "a file\n");

        var direct = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink($"file://{_root}/x.txt/p", new SinkContext()));
        var deeper = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink($"file://{_root}/x.txt/sub/p", new SinkContext()));

        Assert.Contains($"writes its files in '{_root}/x.txt', which is a file, not a directory", direct.Message, StringComparison.Ordinal);
        Assert.Contains($"writes its files in '{_root}/x.txt/sub', under '{_root}/x.txt', which is a file, not a directory", deeper.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSink_Open_DeletesOnlyItsOwnStaleTemporaryFiles()
    {
        // What a run stopped mid-batch leaves, next to files the sink must not touch.
        string[] stale = [".part-1700000000000.txt.tmp", ".part-0.txt.tmp"];
        string[] others = [".part-1700000000000.csv.tmp", ".part-17x.txt.tmp", ".part-.txt.tmp", ".partial-1.txt.tmp", ".other-1.txt.tmp", "part-1700000000000.txt", ".part-1700000000000.txt"];
        foreach (string name in stale.Concat(others))
        {
            File.WriteAllText(Path.Combine(_root, name), "x");
        }

        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt");

        Assert.Equal(others.Order(StringComparer.Ordinal), ListNames(_root));
    }

    [Fact]
    public async Task FileSink_EmptySkip_WritesNothingForAnEmptyBatch_AndAFileForOneWithRecords()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?suffix=txt&empty=skip");

        sink.BeginBatch(BatchTime);
        Assert.Empty(ListNames(_root));
        await sink.CommitBatchAsync(CancellationToken.None);
        await WriteBatchAsync(sink, BatchTime + 1000, "late");
        await WriteBatchAsync(sink, BatchTime + 2000);

        Assert.Equal(["part-1700000002000.txt"], ListNames(_root));
        Assert.Equal("late\n", File.ReadAllText(Path.Combine(_root, "part-1700000002000.txt")));
    }

    [Fact]
    public async Task FileSink_EmptySkip_AbortedBatchWithoutRecords_LeavesNothing()
    {
        await using Sink sink = await OpenAsync($"file://{_root}/part?empty=skip");

        sink.BeginBatch(BatchTime);
        sink.AbortBatch();
        await WriteBatchAsync(sink, BatchTime + 1000, "kept");

        Assert.Equal(["part-1700000002000"], ListNames(_root));
    }

    private async Task<Sink> OpenAsync(string uri)
    {
        Sink sink = ConnectorRegistry.CreateSink(uri, new SinkContext { CurrentDirectory = _root });
        await sink.OpenAsync(CancellationToken.None);
        return sink;
    }

    private static async Task WriteBatchAsync(Sink sink, long batchTime, params string[] records)
    {
        sink.BeginBatch(batchTime);
        foreach (string record in records)
        {
            sink.Write(Encoding.UTF8.GetBytes(record));
        }

        await sink.CommitBatchAsync(CancellationToken.None);
    }

    // File names in the directory (hidden ones included), in ordinal order.
    private static string[] ListNames(string directory) =>
        Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
