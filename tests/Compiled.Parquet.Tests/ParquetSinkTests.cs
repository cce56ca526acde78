using Compiled.Connectors;
using Compiled.Parquet.Columns;

namespace Compiled.Parquet.Tests;

/// <summary>
/// The sink's commit, as the file sink's: nothing visible before the commit, one file per batch (or per N batches), a
/// prepared file kept or dropped at a restart as the checkpoint says, and errors that say what to do.
/// </summary>
public sealed class ParquetSinkTests
{
    [Fact]
    public async Task Batch_NothingVisibleBeforeCommit_ThenOneFileNamedForTheBatch()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows");
        var rows = (RowColumns)sink.Columns!;
        sink.BeginBatch(1000);
        rows.Append(1, "one", 1.5m);
        rows.Append(2, null, null);
        Assert.Empty(temp.Files("out"));

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, rowGroups, read) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal(1, rowGroups);
        Assert.Equal([(1L, "one", 1.5m), (2L, null, null)], read.Select(r => ((long)r["id"]!, (string?)r["name"], (decimal?)r["amount"])));
        Assert.Equal(1000, sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task EmptyBatch_WritesAFileWithTheSchemaAndNoRows()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows");
        sink.BeginBatch(1000);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        var (schema, rowGroups, read) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal(["id", "name", "amount"], schema.GetDataFields().Select(f => f.Name));
        Assert.Equal(0, rowGroups);
        Assert.Empty(read);
    }

    [Fact]
    public async Task BatchesPerFile3_OneFileOfTheirRowGroups_VisibleOnlyAfterTheThird_TheRestFinishedAtDispose()
    {
        using var temp = new TempDirectory();
        ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows?batchesPerFile=3");
        var rows = (RowColumns)sink.Columns!;
        for (int batch = 1; batch <= 4; batch++)
        {
            sink.BeginBatch(batch * 1000);
            if (batch != 2)
            {
                // The second batch is empty: it adds no row group.
                rows.Append(batch * 10, "b" + batch, batch);
                rows.Append(batch * 10 + 1, "b" + batch, null);
            }

            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
            if (batch < 3)
            {
                Assert.Equal([".rows-1000.parquet.tmp"], temp.Files("out"));
            }
        }

        Assert.Equal([".rows-4000.parquet.tmp", "rows-1000.parquet"], temp.Files("out"));
        await sink.DisposeAsync();

        Assert.Equal(["rows-1000.parquet", "rows-4000.parquet"], temp.Files("out"));
        var (_, firstGroups, first) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal(2, firstGroups);
        Assert.Equal([10L, 11, 30, 31], first.Select(r => (long)r["id"]!));
        var (_, _, last) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-4000.parquet"));
        Assert.Equal([40L, 41], last.Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task AbortedBatch_LeavesNoFile()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows");
        sink.BeginBatch(1000);
        ((RowColumns)sink.Columns!).Append(1, "one", 1m);
        sink.AbortBatch();
        sink.BeginBatch(2000);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["rows-2000.parquet"], temp.Files("out"));
    }

    [Fact]
    public async Task WithCheckpoint_PreparedFileIsHiddenAndWhole_CommitRenamesIt()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows", checkpoint: Path.Combine(temp.Path, "checkpoint"));
        Assert.Equal(Sinks.SinkGuarantee.Transactional, sink.Guarantee);
        sink.BeginBatch(1000);
        ((RowColumns)sink.Columns!).Append(7, "seven", 7.25m);
        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);

        Assert.Equal([".rows-1000.parquet.tmp"], temp.Files("out"));
        var (_, _, prepared) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", ".rows-1000.parquet.tmp"));
        Assert.Equal(7L, Assert.Single(prepared)["id"]);

        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));

        sink.BeginBatch(2000);
        ((RowColumns)sink.Columns!).Append(8, "eight", null);
        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["rows-1000.parquet", "rows-2000.parquet"], temp.Files("out"));
        var (_, _, second) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-2000.parquet"));
        Assert.Equal(8L, Assert.Single(second)["id"]);
    }

    [Fact]
    public async Task Restart_CommitsPreparedFilesUpToTheCheckpoint_DeletesLaterOnes_ReplacesItsOwnFile()
    {
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string uri = $"parquet://{temp.Path}/out/rows";
        // A run that prepared batch 1000 and died before its commit: the prepared file is kept.
        ParquetSink crashed = await OpenAsync(uri, checkpoint);
        crashed.BeginBatch(1000);
        ((RowColumns)crashed.Columns!).Append(1000, "prepared", null);
        await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await crashed.DisposeAsync();

        // And a prepared file of batch 2000, whose checkpoint was never written (a copy: one run prepares one batch at a time).
        File.Copy(Path.Combine(temp.Path, "out", ".rows-1000.parquet.tmp"), Path.Combine(temp.Path, "out", ".rows-2000.parquet.tmp"));

        Assert.Equal([".rows-1000.parquet.tmp", ".rows-2000.parquet.tmp"], temp.Files("out"));
        await using ParquetSink restarted = await OpenAsync(uri, checkpoint);
        await restarted.RecoverAsync(checkpointedBatchTime: 1000, TestContext.Current.CancellationToken);

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        Assert.Equal(1000, restarted.LastCommittedBatchTime);

        // Batch 2000's input is read again and written again: once.
        restarted.BeginBatch(2000);
        ((RowColumns)restarted.Columns!).Append(2000, "again", null);
        await restarted.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await restarted.CommitBatchAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["rows-1000.parquet", "rows-2000.parquet"], temp.Files("out"));
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-2000.parquet"));
        Assert.Equal("again", Assert.Single(rows)["name"]);
    }

    [Fact]
    public async Task WithoutCheckpoint_AnotherRunsFile_IsNeverReplaced()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Path, "out"));
        File.WriteAllText(Path.Combine(temp.Path, "out", "rows-1000.parquet"), "another run's");
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows");
        sink.BeginBatch(1000);

        IOException error = await Assert.ThrowsAsync<IOException>(() => sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("already exists: another run wrote it", error.Message, StringComparison.Ordinal);
        Assert.Equal("another run's", File.ReadAllText(Path.Combine(temp.Path, "out", "rows-1000.parquet")));
        sink.AbortBatch();
        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
    }

    [Theory]
    [InlineData("", ".rows-1000.parquet.tmp")]
    [InlineData("?batchesPerFile=2", ".rows-1000.parquet.1000.part")]
    public async Task WithCheckpoint_APreparedFileDeletedByAnotherProgram_CommitFails_NamingItAndTheWayOut(string options, string prepared)
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows{options}", checkpoint: Path.Combine(temp.Path, "checkpoint"));
        sink.BeginBatch(1000);
        ((RowColumns)sink.Columns!).Append(1, "one", null);
        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        File.Delete(Path.Combine(temp.Path, "out", prepared));

        IOException error = await Assert.ThrowsAsync<IOException>(() => sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(
            $"The parquet sink's prepared file '{Path.Combine(temp.Path, "out", prepared)}' is gone before its commit: something else deleted it. " +
            $"Keep other programs from removing hidden files in '{Path.Combine(temp.Path, "out")}', or write to a directory of the job's own.",
            error.Message);
        sink.AbortBatch();
        Assert.DoesNotContain("rows-1000.parquet", temp.Files("out"));
    }

    [Fact]
    public async Task DecimalBeyondItsPrecision_CommitFails_NamingTheColumnAndTheWayOut()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows");
        sink.BeginBatch(1000);
        ((RowColumns)sink.Columns!).Append(1, "big", decimal.MaxValue);

        IOException error = await Assert.ThrowsAsync<IOException>(() => sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("column 'amount'", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 20 digits before the point", error.Message, StringComparison.Ordinal);
        sink.AbortBatch();
        Assert.Empty(temp.Files("out"));
    }

    [Fact]
    public async Task RecordAsText_IsRefused_SayingWhichPackageGivesTheColumns()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = ParquetTest.CreateSink($"parquet://{temp.Path}/out/rows");

        var error = Assert.Throws<InvalidOperationException>(() => sink.BeginBatch(1000));
        Assert.Contains("Reference the Compiled.Parquet package", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => sink.Write("text"u8));
    }

    [Theory]
    [InlineData("parquet:///tmp/x/rows?batchPerFile=2", "unknown option 'batchPerFile'; the options of a parquet sink are: batchesPerFile, compression")]
    [InlineData("parquet:///tmp/x/rows?batchesPerFile=0", "batchesPerFile=0")]
    [InlineData("parquet:///tmp/x/rows?compression=lzo", "snappy or none or uncompressed or gzip or zstd")]
    [InlineData("parquet:///tmp/x/", "names a directory but no file prefix; add one, e.g. parquet:///tmp/x/part to write /tmp/x/part-<batch time ms>.parquet per batch")]
    [InlineData("parquet:", "names no directory or prefix; write parquet:///dir/prefix to write")]
    [InlineData("parquet:///tmp/x/.hidden", "its files would be hidden")]
    public void BadUri_IsRefused_WithWhatToWrite(string uri, string expected)
    {
        ConnectorUriException error = Assert.Throws<ConnectorUriException>(() => ParquetTest.CreateSink(uri));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWhereItsDirectoryMustBe_IsRefused_SayingToWriteADirectory()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "out"), "a file");

        ConnectorUriException error = Assert.Throws<ConnectorUriException>(() => ParquetTest.CreateSink($"parquet://{temp.Path}/out/rows"));

        Assert.Contains("is a file, not a directory; write a path whose part before the prefix is a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchesPerFile3_WithCheckpoint_HiddenPartsUntilTheThird_ThenOneFileOfTheirRowGroups()
    {
        using var temp = new TempDirectory();
        await using ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows?batchesPerFile=3", checkpoint: Path.Combine(temp.Path, "checkpoint"));
        for (int batch = 1; batch <= 3; batch++)
        {
            await CheckpointedBatchAsync(sink, batch * 1000, batch == 2 ? [] : [batch * 10, batch * 10 + 1]);
            if (batch < 3)
            {
                Assert.DoesNotContain("rows-1000.parquet", temp.Files("out"));
                Assert.Equal(batch, temp.Files("out").Count(f => f.EndsWith(".part", StringComparison.Ordinal)));
            }
        }

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, rowGroups, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal(2, rowGroups);
        Assert.Equal([10L, 11, 30, 31], rows.Select(r => (long)r["id"]!));
        Assert.Equal(1000, sink.LastCommittedBatchTime);
    }

    [Fact]
    public async Task BatchesPerFile3_WithCheckpoint_Restart_KeepsCheckpointedParts_DropsLaterOnes_AndCompletesTheFile()
    {
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string uri = $"parquet://{temp.Path}/out/rows?batchesPerFile=3";
        ParquetSink crashed = await OpenAsync(uri, checkpoint);
        await CheckpointedBatchAsync(crashed, 1000, [1]);
        await CheckpointedBatchAsync(crashed, 2000, [2]);
        crashed.BeginBatch(3000);
        ((RowColumns)crashed.Columns!).Append(3, "prepared, never checkpointed", null);
        await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await crashed.DisposeAsync();
        Assert.Equal(3, temp.Files("out").Length);

        await using ParquetSink restarted = await OpenAsync(uri, checkpoint);
        await restarted.RecoverAsync(checkpointedBatchTime: 2000, TestContext.Current.CancellationToken);
        Assert.Equal(2, temp.Files("out").Length);

        // Batch 3000's input is read again: it completes the file, once.
        await CheckpointedBatchAsync(restarted, 3000, [33]);
        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal([1L, 2, 33], rows.Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task BatchesPerFile3_WithCheckpoint_RestartAfterTheRename_DeletesTheMergedParts_AndACutShortMerge()
    {
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string uri = $"parquet://{temp.Path}/out/rows?batchesPerFile=2";
        await using (ParquetSink sink = await OpenAsync(uri, checkpoint))
        {
            await CheckpointedBatchAsync(sink, 1000, [1]);
            await CheckpointedBatchAsync(sink, 2000, [2]);
        }

        // As if a crash came after the rename, before the parts were deleted, and another in a later merge.
        File.WriteAllText(Path.Combine(temp.Path, "out", ".rows-1000.parquet.1000.part"), "merged already");
        File.WriteAllText(Path.Combine(temp.Path, "out", ".rows-3000.parquet.merge"), "cut short");
        await using ParquetSink restarted = await OpenAsync(uri, checkpoint);
        await restarted.RecoverAsync(checkpointedBatchTime: 2000, TestContext.Current.CancellationToken);

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal([1L, 2], rows.Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task BatchesPerFile2_WithCheckpoint_RestartFindsAWholeFileInParts_MergesItAtTheNextCommit()
    {
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string uri = $"parquet://{temp.Path}/out/rows?batchesPerFile=2";
        ParquetSink crashed = await OpenAsync(uri, checkpoint);
        await CheckpointedBatchAsync(crashed, 1000, [1]);
        crashed.BeginBatch(2000);
        ((RowColumns)crashed.Columns!).Append(2, "checkpointed, not committed", 2.5m);
        await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await crashed.DisposeAsync();

        // As a run restarts: the sink opens and recovers, then the job gives it the columns.
        await using ParquetSink restarted = ParquetTest.CreateSink(uri, checkpoint);
        await restarted.OpenAsync(TestContext.Current.CancellationToken);
        await restarted.RecoverAsync(checkpointedBatchTime: 2000, TestContext.Current.CancellationToken);
        restarted.UseColumns(new RowColumns());
        await CheckpointedBatchAsync(restarted, 3000, [3]);

        Assert.Contains("rows-1000.parquet", temp.Files("out"));
        var (_, _, first) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal([(1L, (decimal?)null), (2L, 2.5m)], first.Select(r => ((long)r["id"]!, (decimal?)r["amount"])));
        await restarted.DisposeAsync();
        Assert.Equal(["rows-1000.parquet", "rows-3000.parquet"], temp.Files("out"));
    }

    [Fact]
    public async Task BatchesPerFile2_WithCheckpoint_RestartWithOneBatchPerFile_StillMergesTheFileFoundInParts()
    {
        // The restarted run writes a file per batch, but the parts the earlier run left (of batchesPerFile=2) must still
        // become their file: they hold checkpointed batches.
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        ParquetSink crashed = await OpenAsync($"parquet://{temp.Path}/out/rows?batchesPerFile=2", checkpoint);
        await CheckpointedBatchAsync(crashed, 1000, [1]);
        crashed.BeginBatch(2000);
        ((RowColumns)crashed.Columns!).Append(2, "checkpointed, not committed", 2.5m);
        await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await crashed.DisposeAsync();

        await using ParquetSink restarted = ParquetTest.CreateSink($"parquet://{temp.Path}/out/rows", checkpoint);
        await restarted.OpenAsync(TestContext.Current.CancellationToken);
        await restarted.RecoverAsync(checkpointedBatchTime: 2000, TestContext.Current.CancellationToken);
        restarted.UseColumns(new RowColumns());
        await CheckpointedBatchAsync(restarted, 3000, [3]);

        Assert.Equal(["rows-1000.parquet", "rows-3000.parquet"], temp.Files("out"));
        var (_, _, first) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal([1L, 2L], first.Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task BatchesPerFile3_WithCheckpoint_RunThatEnds_MergesTheBatchesItHas()
    {
        using var temp = new TempDirectory();
        ParquetSink sink = await OpenAsync($"parquet://{temp.Path}/out/rows?batchesPerFile=3", checkpoint: Path.Combine(temp.Path, "checkpoint"));
        await CheckpointedBatchAsync(sink, 1000, [1, 2]);
        await sink.DisposeAsync();

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal([1L, 2], rows.Select(r => (long)r["id"]!));
    }

    [Fact]
    public async Task BatchesPerFile2_WithCheckpoint_RequiredTextAndTimeColumns_MergeAsWritten()
    {
        using var temp = new TempDirectory();
        ParquetSink sink = ParquetTest.CreateSink($"parquet://{temp.Path}/out/rows?batchesPerFile=2", Path.Combine(temp.Path, "checkpoint"));
        var columns = new RequiredColumns();
        sink.UseColumns(columns);
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        for (long time = 1000; time <= 2000; time += 1000)
        {
            sink.BeginBatch(time);
            columns.Append(time, "t" + time, DateTime.UnixEpoch.AddMilliseconds(time));
            await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
            await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
        }

        await sink.DisposeAsync();

        Assert.Equal(["rows-1000.parquet"], temp.Files("out"));
        var (_, rowGroups, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "out", "rows-1000.parquet"));
        Assert.Equal(2, rowGroups);
        Assert.Equal(["t1000", "t2000"], rows.Select(r => (string?)r["name"]));
    }

    [Fact]
    public async Task BatchesPerFile2_WithCheckpoint_PartOfAnEarlierRecordType_MergeFails_NamingThePartAndTheWayOut()
    {
        using var temp = new TempDirectory();
        string checkpoint = Path.Combine(temp.Path, "checkpoint");
        string uri = $"parquet://{temp.Path}/out/rows?batchesPerFile=2";
        ParquetSink crashed = await OpenAsync(uri, checkpoint);
        await CheckpointedBatchAsync(crashed, 1000, [1]);
        crashed.BeginBatch(2000);
        await crashed.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await crashed.DisposeAsync();

        // The job is started again with its record changed: name is now required, and amount became time.
        await using ParquetSink restarted = ParquetTest.CreateSink(uri, checkpoint);
        var changed = new RequiredColumns();
        restarted.UseColumns(changed);
        await restarted.OpenAsync(TestContext.Current.CancellationToken);
        await restarted.RecoverAsync(checkpointedBatchTime: 1000, TestContext.Current.CancellationToken);
        restarted.BeginBatch(2000);
        changed.Append(2, "two", DateTime.UnixEpoch);
        await restarted.PrepareBatchAsync(TestContext.Current.CancellationToken);
        IOException error = await Assert.ThrowsAsync<IOException>(() => restarted.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains(".rows-1000.parquet.1000.part' has as its column 2 'name' (string, optional) where the sink's records have 'name' (string)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Move it out of the directory", error.Message, StringComparison.Ordinal);
    }

    // One batch as a checkpointed run commits it: prepare, (the checkpoint), commit.
    private static async Task CheckpointedBatchAsync(ParquetSink sink, long time, long[] ids)
    {
        sink.BeginBatch(time);
        foreach (long id in ids)
        {
            ((RowColumns)sink.Columns!).Append(id, "b" + time, null);
        }

        await sink.PrepareBatchAsync(TestContext.Current.CancellationToken);
        await sink.CommitBatchAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<ParquetSink> OpenAsync(string uri, string? checkpoint = null)
    {
        ParquetSink sink = ParquetTest.CreateSink(uri, checkpoint);
        sink.UseColumns(new RowColumns());
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        return sink;
    }

    // Columns as the generator writes them for a record (long id, string? name, decimal? amount).
    private sealed class RowColumns : ParquetColumns
    {
        private readonly ValueColumn<long> _id;
        private readonly TextColumn _name;
        private readonly NullableColumn<decimal> _amount;

        public RowColumns()
            : this(new ValueColumn<long>("id"), new TextColumn("name", nullable: true), new NullableColumn<decimal>("amount"))
        {
        }

        private RowColumns(ValueColumn<long> id, TextColumn name, NullableColumn<decimal> amount)
            : base(id, name, amount)
        {
            _id = id;
            _name = name;
            _amount = amount;
        }

        public void Append(long id, string? name, decimal? amount)
        {
            _id.Add(id);
            _name.Add(name);
            _amount.Add(amount);
        }
    }

    private sealed class RequiredColumns : ParquetColumns
    {
        private readonly ValueColumn<long> _id;
        private readonly TextColumn _name;
        private readonly ValueColumn<DateTime> _time;

        public RequiredColumns()
            : this(new ValueColumn<long>("id"), new TextColumn("name", nullable: false), new ValueColumn<DateTime>("time"))
        {
        }

        private RequiredColumns(ValueColumn<long> id, TextColumn name, ValueColumn<DateTime> time)
            : base(id, name, time)
        {
            _id = id;
            _name = name;
            _time = time;
        }

        public void Append(long id, string name, DateTime time)
        {
            _id.Add(id);
            _name.Add(name);
            _time.Add(time);
        }
    }
}
