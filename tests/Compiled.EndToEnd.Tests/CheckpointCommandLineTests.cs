namespace Compiled.EndToEnd.Tests;

/// <summary>
/// <c>--checkpoint</c> as a user meets it on the command line: a job resumes where the last run stopped, a restart
/// with a changed layout or a damaged checkpoint exits 2 with what to do, and a source that cannot be read again is
/// named at start.
/// </summary>
public class CheckpointCommandLineTests
{
    [Fact]
    public async Task StatefulWordCount_SecondRun_GoesOnFromTheFirstRunsTotals()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("in"));
        File.WriteAllText(temp.File("in/a.txt"), "apple pear apple\n");
        string[] arguments = ["--source", $"file://{temp.File("in")}/*.txt", "--sink", $"file://{temp.File("out")}/t?suffix=txt", "--checkpoint", temp.File("checkpoint")];
        var (first, _, firstError) = await ChildProcess.RunAsync(Repo.StatefulWordCountExecutable, arguments, Repo.StatefulWordCountDirectory);
        Assert.True(first == 0, firstError);

        File.WriteAllText(temp.File("in/b.txt"), "apple fig\n");
        var (second, _, secondError) = await ChildProcess.RunAsync(Repo.StatefulWordCountExecutable, arguments, Repo.StatefulWordCountDirectory);
        Assert.True(second == 0, secondError);
        Assert.Contains("resumes from checkpoint", secondError, StringComparison.Ordinal);

        // The second run read only b.txt, and its totals go on from the first run's.
        // (A batch without input writes an empty file: a slow start may give each run one.)
        Dictionary<string, long>[] batches = [.. FileSinkOutput.Batches(temp.File("out"), "t").Values.Where(b => b.Count > 0)];
        Assert.Equal(2, batches.Length);
        Assert.Equal(new Dictionary<string, long> { ["apple"] = 2, ["pear"] = 1 }, batches[0]);
        Assert.Equal(new Dictionary<string, long> { ["apple"] = 3, ["fig"] = 1 }, batches[1]);
    }

    [Fact]
    public async Task PageViews_RestartedWithAnotherBatchInterval_IsRefused_SayingHowToKeepTheCheckpoint()
    {
        using var temp = new TempDirectory();
        string[] arguments = ["--sink", $"file://{temp.File("out")}/v?suffix=txt", "--checkpoint", temp.File("checkpoint")];
        var (first, _, firstError) = await ChildProcess.RunAsync(Repo.PageViewsExecutable, arguments, Repo.PageViewsDirectory);
        Assert.True(first == 0, firstError);

        var (second, output, secondError) = await ChildProcess.RunAsync(Repo.PageViewsExecutable, [.. arguments, "--batch-interval", "500ms"], Repo.PageViewsDirectory);
        Assert.Equal(2, second);
        Assert.Empty(output);
        Assert.Contains("the batch interval changed from 1s to 500ms", secondError, StringComparison.Ordinal);
        Assert.Contains("run with --batch-interval 1s", secondError, StringComparison.Ordinal);
        Assert.Contains("start with a new checkpoint directory", secondError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DamagedCheckpoint_ExitsTwo_NamingTheFile()
    {
        using var temp = new TempDirectory();
        string[] arguments = ["--sink", $"file://{temp.File("out")}/c?suffix=txt", "--checkpoint", temp.File("checkpoint")];
        var (first, _, firstError) = await ChildProcess.RunAsync(Repo.WordCountExecutable, arguments, Repo.WordCountDirectory);
        Assert.True(first == 0, firstError);
        // The newest checkpoint (a slow run may have written two: the batch that read the book, and an empty one).
        string file = Directory.GetFiles(temp.File("checkpoint"), "checkpoint-*").MaxBy(f => long.Parse(Path.GetFileName(f)["checkpoint-".Length..], System.Globalization.CultureInfo.InvariantCulture))!;
        byte[] bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var (second, _, secondError) = await ChildProcess.RunAsync(Repo.WordCountExecutable, arguments, Repo.WordCountDirectory);
        Assert.Equal(2, second);
        Assert.Contains($"Checkpoint file '{file}' fails its checksum", secondError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandardInput_WithACheckpoint_IsNamedAsNotReplayable_AtStart()
    {
        using var temp = new TempDirectory();
        var (exit, output, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable,
            ["--source", "stdin:", "--checkpoint", temp.File("checkpoint")],
            Repo.WordCountDirectory,
            input: "a b a\n"u8.ToArray());
        Assert.True(exit == 0, error);
        Assert.Contains("Source Input cannot be read again after a crash (standard input cannot be read again", error, StringComparison.Ordinal);
        Assert.Contains("Sink Output (console) is at-least-once", error, StringComparison.Ordinal);
        Assert.Contains("(a,2)", output, StringComparison.Ordinal);
    }
}
