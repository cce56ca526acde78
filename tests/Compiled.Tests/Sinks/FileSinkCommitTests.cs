using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Sinks.Files;

namespace Compiled.Tests.Sinks;

/// <summary>
/// The file sink's two-phase commit when the run keeps a checkpoint (prepare, commit, recover after a crash, replace a
/// file of its own batch) and the newest committed batch it reports at open.
/// </summary>
public sealed class FileSinkCommitTests : IDisposable
{
    private const long T1 = 1700000001000;
    private const long T2 = 1700000002000;
    private const long T3 = 1700000003000;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "compiled-filesink-commit-" + Guid.NewGuid().ToString("N"));
    private readonly string _checkpoint;

    public FileSinkCommitTests()
    {
        Directory.CreateDirectory(_root);
        _checkpoint = Path.Combine(_root, "checkpoint");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void FileSink_DeclaresItselfTransactional()
    {
        Sink sink = ConnectorRegistry.CreateSink($"file://{_root}/out/part", new SinkContext { CurrentDirectory = _root });

        Assert.Equal(SinkGuarantee.Transactional, sink.Guarantee);
    }

    [Fact]
    public async Task Prepare_WritesTheWholeBatchUnderItsHiddenName_CommitMakesItVisible()
    {
        await using Sink sink = await OpenAsync(checkpoint: true);

        sink.BeginBatch(T1);
        sink.Write("alpha"u8);
        sink.Write("beta"u8);
        await sink.PrepareBatchAsync(CancellationToken.None);

        // Prepared: durable, complete, and not visible.
        Assert.Equal([".part-1700000001000.txt.tmp"], ListNames());
        Assert.Equal("alpha\nbeta\n", File.ReadAllText(Path.Combine(_root, ".part-1700000001000.txt.tmp")));

        await sink.CommitBatchAsync(CancellationToken.None);

        Assert.Equal(["part-1700000001000.txt"], ListNames());
        Assert.Equal("alpha\nbeta\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
        Assert.Equal(T1, sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task Commit_WithACheckpoint_ReplacesAFileOfTheSameBatch()
    {
        // A run whose checkpoint did not record batch T1 wrote its file; the batch replayed writes it again.
        File.WriteAllText(Path.Combine(_root, "part-1700000001000.txt"), "from the run that crashed\n");
        await using Sink sink = await OpenAsync(checkpoint: true);

        await WriteBatchAsync(sink, T1, "replayed");

        Assert.Equal(["part-1700000001000.txt"], ListNames());
        Assert.Equal("replayed\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Fact]
    public async Task Commit_WithoutACheckpoint_StillRefusesToReplaceAnotherRunsFile()
    {
        File.WriteAllText(Path.Combine(_root, "part-1700000001000.txt"), "another run\n");
        await using Sink sink = await OpenAsync(checkpoint: false);

        sink.BeginBatch(T1);
        sink.Write("new"u8);
        IOException error = await Assert.ThrowsAsync<IOException>(() => sink.CommitBatchAsync(CancellationToken.None).AsTask());

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal("another run\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Fact]
    public async Task Recover_CommitsPreparedBatchesUpToTheCheckpoint_AndDeletesLaterOnes()
    {
        // A crashed run left: T1 prepared and checkpointed (its file must appear), T2 prepared but its checkpoint not
        // written (its input is read again: delete), T3 half-written (delete), and files that are not the sink's.
        await PrepareAndCrashAsync(T1, "one");
        File.WriteAllText(Path.Combine(_root, ".part-1700000002000.txt.tmp"), "two\n");
        File.WriteAllText(Path.Combine(_root, ".part-1700000003000.txt.tmp"), "thr");
        File.WriteAllText(Path.Combine(_root, ".part-0.txt.tmp"), "");
        File.WriteAllText(Path.Combine(_root, ".other-1700000001000.txt.tmp"), "not ours");
        File.WriteAllText(Path.Combine(_root, ".part-x1.txt.tmp"), "not a batch name");

        await using Sink sink = await OpenAsync(checkpoint: true);

        // Open leaves them for recovery: it cannot tell a prepared batch from an unfinished one.
        Assert.Contains(".part-1700000001000.txt.tmp", ListNames());
        Assert.Contains(".part-1700000002000.txt.tmp", ListNames());

        await sink.RecoverAsync(T1, CancellationToken.None);

        Assert.Equal([".other-1700000001000.txt.tmp", ".part-x1.txt.tmp", "part-1700000001000.txt"], ListNames());
        Assert.Equal("one\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
        Assert.Equal(T1, sink.LastCommittedBatchTime);

        // The run goes on after the checkpointed batch.
        await WriteBatchAsync(sink, T2, "two again");
        Assert.Equal("two again\n", File.ReadAllText(Path.Combine(_root, "part-1700000002000.txt")));
    }

    [Fact]
    public async Task Recover_APreparedBatchWhoseFileExists_ReplacesIt()
    {
        File.WriteAllText(Path.Combine(_root, "part-1700000001000.txt"), "older\n");
        await PrepareAndCrashAsync(T1, "prepared");

        await using Sink sink = await OpenAsync(checkpoint: true);
        await sink.RecoverAsync(T1, CancellationToken.None);

        Assert.Equal(["part-1700000001000.txt"], ListNames());
        Assert.Equal("prepared\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
    }

    [Fact]
    public async Task WithACheckpointButNothingToResume_TheFirstBatchDeletesEveryLeftTemporaryFile()
    {
        // No checkpoint was completed, so even a prepared batch was never recorded: its input is read again.
        await PrepareAndCrashAsync(T1, "prepared, never checkpointed");
        File.WriteAllText(Path.Combine(_root, ".part-1700000002000.txt.tmp"), "half");

        await using Sink sink = await OpenAsync(checkpoint: true);
        Assert.Equal(2, ListNames().Length);

        await WriteBatchAsync(sink, T3, "fresh");

        Assert.Equal(["part-1700000003000.txt"], ListNames());
    }

    [Fact]
    public async Task DisposedAfterPrepare_KeepsThePreparedFile_AbortAfterPrepareDeletesIt()
    {
        Sink kept = await OpenAsync(checkpoint: true);
        kept.BeginBatch(T1);
        kept.Write("prepared"u8);
        await kept.PrepareBatchAsync(CancellationToken.None);
        await kept.DisposeAsync();

        Assert.Equal([".part-1700000001000.txt.tmp"], ListNames());

        await using Sink aborted = await OpenAsync(checkpoint: true);
        await aborted.RecoverAsync(T1, CancellationToken.None);
        aborted.BeginBatch(T2);
        aborted.Write("failed"u8);
        await aborted.PrepareBatchAsync(CancellationToken.None);
        aborted.AbortBatch();

        Assert.Equal(["part-1700000001000.txt"], ListNames());
    }

    [Fact]
    public async Task CommitWithoutPrepare_WithACheckpoint_WritesTheBatch()
    {
        await using Sink sink = await OpenAsync(checkpoint: true);

        sink.BeginBatch(T1);
        sink.Write("a"u8);
        await sink.CommitBatchAsync(CancellationToken.None);
        sink.BeginBatch(T2);
        await sink.CommitBatchAsync(CancellationToken.None);

        Assert.Equal(["part-1700000001000.txt", "part-1700000002000.txt"], ListNames());
        Assert.Equal("a\n", File.ReadAllText(Path.Combine(_root, "part-1700000001000.txt")));
        Assert.Equal(T2, sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task EmptySkip_WithACheckpoint_AnEmptyBatchPreparesAndCommitsNothing()
    {
        await using Sink sink = await OpenAsync(checkpoint: true, options: "&empty=skip");

        sink.BeginBatch(T1);
        await sink.PrepareBatchAsync(CancellationToken.None);
        await sink.CommitBatchAsync(CancellationToken.None);
        sink.BeginBatch(T2);
        sink.Write("b"u8);
        await sink.PrepareBatchAsync(CancellationToken.None);
        await sink.CommitBatchAsync(CancellationToken.None);

        Assert.Equal(["part-1700000002000.txt"], ListNames());
    }

    [Fact]
    public async Task Commit_APreparedFileDeletedByAnotherProgram_FailsNamingIt()
    {
        await using Sink sink = await OpenAsync(checkpoint: true);
        sink.BeginBatch(T1);
        sink.Write("x"u8);
        await sink.PrepareBatchAsync(CancellationToken.None);
        File.Delete(Path.Combine(_root, ".part-1700000001000.txt.tmp"));

        IOException error = await Assert.ThrowsAsync<IOException>(() => sink.CommitBatchAsync(CancellationToken.None).AsTask());

        Assert.Contains(".part-1700000001000.txt.tmp", error.Message, StringComparison.Ordinal);
        Assert.Contains("is gone before its commit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LastCommittedBatchTime_IsTheNewestBatchFileAtOpen(bool checkpoint)
    {
        await using (Sink empty = await OpenAsync(checkpoint))
        {
            Assert.Null(empty.LastCommittedBatchTime);
        }

        foreach (string name in new[]
        {
            "part-1700000001000.txt", "part-1700000002000.txt",
            ".part-1700000009000.txt.tmp", // a temporary file is not committed
            "other-1700000009000.txt", // another prefix
            "part-1700000009000.log", // another suffix
            "part-17000000090x0.txt", // not a batch time
            "part-.txt",
        })
        {
            File.WriteAllText(Path.Combine(_root, name), "");
        }

        await using Sink sink = await OpenAsync(checkpoint);

        Assert.Equal(T2, sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task LastCommittedBatchTime_WithoutASuffix_ReadsPrefixDashDigits()
    {
        File.WriteAllText(Path.Combine(_root, "part-1700000003000"), "");
        File.WriteAllText(Path.Combine(_root, "part-1700000004000.txt"), "");
        Sink sink = ConnectorRegistry.CreateSink($"file://{_root}/part", new SinkContext { CurrentDirectory = _root });
        await sink.OpenAsync(CancellationToken.None);

        Assert.Equal(T3, sink.LastCommittedBatchTime);
        await sink.DisposeAsync();
    }

    // A run that prepared the batch's file and then died: the file stays under its temporary name.
    private async Task PrepareAndCrashAsync(long batchTime, string record)
    {
        Sink sink = ConnectorRegistry.CreateSink($"file://{_root}/part?suffix=txt", new SinkContext { CurrentDirectory = _root, CheckpointDirectory = _checkpoint });
        await sink.OpenAsync(CancellationToken.None);
        sink.BeginBatch(batchTime);
        sink.Write(Encoding.UTF8.GetBytes(record));
        await sink.PrepareBatchAsync(CancellationToken.None);
        await sink.DisposeAsync();
    }

    private async Task<Sink> OpenAsync(bool checkpoint, string options = "")
    {
        Sink sink = ConnectorRegistry.CreateSink(
            $"file://{_root}/part?suffix=txt{options}",
            new SinkContext { CurrentDirectory = _root, CheckpointDirectory = checkpoint ? _checkpoint : null });
        await sink.OpenAsync(CancellationToken.None);
        return sink;
    }

    // One batch of a run that keeps a checkpoint, or not: prepared (when it does), then committed.
    private static async Task WriteBatchAsync(Sink sink, long batchTime, params string[] records)
    {
        sink.BeginBatch(batchTime);
        foreach (string record in records)
        {
            sink.Write(Encoding.UTF8.GetBytes(record));
        }

        await sink.PrepareBatchAsync(CancellationToken.None);
        await sink.CommitBatchAsync(CancellationToken.None);
    }

    private string[] ListNames() =>
        Directory.GetFiles(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
