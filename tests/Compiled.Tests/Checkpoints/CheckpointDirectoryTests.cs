using Compiled.Checkpoints;
using Compiled.Tests.Connectors;

namespace Compiled.Tests.Checkpoints;

/// <summary>
/// The checkpoint directory as a job uses it: write after each batch, load the newest complete checkpoint at start,
/// keep the last two, ignore what a crash left half-written, refuse damaged and foreign files by name.
/// </summary>
public class CheckpointDirectoryTests
{
    private static string Write(CheckpointDirectory directory, long batch, long value)
    {
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(batch));
        var section = writer.BeginSection("Count");
        section.BeginShards(1);
        section.BeginShard(1);
        section.WriteKey("total"u8);
        section.WriteUnmanaged(value);
        section.End();
        writer.Complete();
        return directory.Write(writer);
    }

    private static long LoadTotal(CheckpointDirectory directory, out long batch)
    {
        Assert.True(directory.TryLoadLatest(out CheckpointReader? reader));
        using (reader)
        {
            batch = reader!.Header.BatchNumber;
            return CheckpointSamples.ReadCounts(reader)["total"];
        }
    }

    [Fact]
    public void Empty_HasNoCheckpoint()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Combine("new/nested"), CheckpointSamples.Pipeline);
        Assert.True(Directory.Exists(directory.Path));
        Assert.False(directory.TryLoadLatest(out CheckpointReader? reader));
        Assert.Null(reader);
    }

    [Fact]
    public void Write_ThenLoad_GivesTheNewest_AndKeepsTheLastTwo()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        for (long batch = 1; batch <= 6; batch++)
        {
            string path = Write(directory, batch, batch * 10);
            Assert.Equal(temp.Combine("checkpoint-" + batch), path);
            Assert.Equal(batch * 10, LoadTotal(directory, out long loaded));
            Assert.Equal(batch, loaded);
            Assert.Equal(batch == 1 ? [1L] : [batch - 1, batch], directory.Batches());
        }

        // Only the two checkpoints are left: no temporary files.
        Assert.Equal(["checkpoint-5", "checkpoint-6"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BatchNumbers_AreOrderedAsNumbers_NotAsText()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        Write(directory, 9, 9);
        Write(directory, 10, 10);
        Assert.Equal(10, LoadTotal(directory, out _));
        Assert.Equal([9L, 10L], directory.Batches());
    }

    [Fact]
    public void CrashMidWrite_LeavesATemporaryFile_ThatIsIgnoredAndCleanedUp()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        Write(directory, 5, 50);

        // What a kill between the first write and the rename leaves: a partial checkpoint-6 under its temporary name.
        byte[] next = CheckpointSamples.Small(batch: 6);
        File.WriteAllBytes(temp.Combine("checkpoint-6.tmp"), next[..(next.Length / 2)]);

        Assert.Equal(50, LoadTotal(directory, out long batch));
        Assert.Equal(5, batch);
        Assert.False(File.Exists(temp.Combine("checkpoint-6.tmp")));

        // The batch is redone and its checkpoint written again over the same name.
        Write(directory, 6, 60);
        Assert.Equal(60, LoadTotal(directory, out _));
    }

    [Fact]
    public void OtherFiles_InTheDirectory_AreLeftAlone()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        File.WriteAllText(temp.Combine("tcp.wal"), "log");
        File.WriteAllText(temp.Combine("checkpoint-notes.txt"), "notes");
        for (long batch = 1; batch <= 4; batch++)
        {
            Write(directory, batch, batch);
        }

        Assert.Equal(4, LoadTotal(directory, out _));
        Assert.True(File.Exists(temp.Combine("tcp.wal")));
        Assert.True(File.Exists(temp.Combine("checkpoint-notes.txt")));
    }

    [Fact]
    public void CorruptNewest_IsRefusedWithItsPath_AndNamesThePreviousCheckpoint_NeverFallingBackSilently()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        Write(directory, 1, 10);
        string newest = Write(directory, 2, 20);
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(newest, bytes);

        CheckpointReader? reader = null;
        var e = Assert.Throws<CheckpointCorruptException>(() => directory.TryLoadLatest(out reader));
        Assert.Null(reader);
        Assert.Equal(CheckpointProblem.ChecksumMismatch, e.Problem);
        Assert.Equal(newest, e.Path);
        Assert.Equal(
            $"Checkpoint file '{newest}' fails its checksum: its bytes changed after it was written (a disk or copy fault). " +
            $"Move it out of the checkpoint directory to resume from the previous checkpoint '{temp.Combine("checkpoint-1")}' (the batch of 1 ms), " +
            "which replays the batches after it, or start with a new checkpoint directory.",
            e.Message);

        // Doing what the message says resumes from the previous checkpoint.
        File.Move(newest, temp.Combine("damaged"));
        Assert.Equal(10, LoadTotal(directory, out long batch));
        Assert.Equal(1, batch);
    }

    [Fact]
    public void TruncatedNewest_WithoutAnOlderOne_SaysTheJobWouldStartFromTheBeginning()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        string path = Write(directory, 3, 30);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        var e = Assert.Throws<CheckpointCorruptException>(() => directory.TryLoadLatest(out _));
        Assert.Equal(CheckpointProblem.Truncated, e.Problem);
        Assert.Contains($"'{path}' does not end with the checkpoint footer", e.Message);
        Assert.Contains("to start the job from the beginning, or start with a new checkpoint directory", e.Message);
    }

    [Fact]
    public void ForeignPipelinesCheckpoint_IsRefused()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("checkpoint-7"), CheckpointSamples.Small(batch: 7, pipeline: "LogMonitor"));
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);

        var e = Assert.Throws<CheckpointCorruptException>(() => directory.TryLoadLatest(out _));
        Assert.Equal(CheckpointProblem.ForeignPipeline, e.Problem);
        Assert.Contains($"'{temp.Combine("checkpoint-7")}' belongs to pipeline 'LogMonitor', not to 'WordCount'", e.Message);
        Assert.Contains("point --checkpoint at a new directory", e.Message);
    }

    [Fact]
    public void RenamedCheckpoint_IsRefused()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("checkpoint-9"), CheckpointSamples.Small(batch: 7));
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);

        var e = Assert.Throws<CheckpointCorruptException>(() => directory.TryLoadLatest(out _));
        Assert.Equal(CheckpointProblem.Malformed, e.Problem);
        Assert.Contains("holds the batch of 7 ms but is named for the batch of 9 ms", e.Message);
    }

    [Fact]
    public void Write_RefusesAnotherPipelinesCheckpoint()
    {
        using var temp = new TempDirectory();
        var directory = new CheckpointDirectory(temp.Path, CheckpointSamples.Pipeline);
        using var writer = new CheckpointWriter();
        writer.Begin(CheckpointSamples.Header(1) with { PipelineName = "LogMonitor" });
        writer.Complete();

        var e = Assert.Throws<InvalidOperationException>(() => directory.Write(writer));
        Assert.Contains("pipeline 'LogMonitor'", e.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
