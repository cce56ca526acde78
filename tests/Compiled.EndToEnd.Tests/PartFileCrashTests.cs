using System.Globalization;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// A job on partitions whose file sink writes a part file per partition per batch, with a checkpoint, as a machine failure
/// meets it: Nexmark Q1 (every bid mapped and written as it comes) over a million events on 2 partitions, killed with
/// SIGKILL at seeded random moments after each run's first committed batch (between a batch's parts being written and
/// their commit among them) and restarted
/// until a run reads to the end; every bid's row must be in exactly one part file, none lost and none doubled.
/// </summary>
public class PartFileCrashTests
{
    [Fact]
    public async Task NexmarkQ1_OnTwoPartitions_KilledAndRestarted_WritesEveryBidOnceAcrossTheParts()
    {
        using var temp = new TempDirectory();
        string events = temp.File("events");
        var (generated, _, generateError) = await ChildProcess.RunAsync(Repo.NexmarkExecutable, ["generate", "--events", "1000000", "--out", events], Repo.NexmarkDirectory);
        Assert.True(generated == 0, $"generate exited {generated}: {generateError}");
        string bids = "file://" + Path.Combine(events, "bids.csv");

        // What one partition writes in one uninterrupted run: the rows every restarted run together must write once.
        string reference = temp.File("reference");
        var (exit, _, error) = await ChildProcess.RunAsync(
            Repo.NexmarkExecutable, ["q1", "--source", bids, "--sink", $"file://{reference}/out?suffix=txt", "--batch-interval", "10m", "--parallelism", "1"], Repo.NexmarkDirectory);
        Assert.True(exit == 0, $"The reference run exited {exit}: {error}");
        List<string> expected = SortedRows(reference);

        string output = temp.File("out");
        string checkpoint = temp.File("checkpoint");
        string[] arguments =
        [
            "q1", "--source", bids,
            "--sink", $"file://{output}/out?suffix=txt",
            "--checkpoint", checkpoint,
            "--batch-interval", "50ms",
            "--parallelism", "2",
        ];

        var random = new Random(CrashHarness.Seed);
        var log = new System.Text.StringBuilder();
        int killed = 0, resumedMidway = 0;
        bool ended = false;
        for (int run = 1; run <= 30 && !ended; run++)
        {
            HashSet<string> before = Checkpoints(checkpoint);
            await using RunningExecutable job = RunningExecutable.Start(Repo.NexmarkExecutable, Repo.NexmarkDirectory, arguments);
            await job.WaitForErrorAsync(" starting: ");

            // The random moment is counted from the run's first committed batch (a checkpoint it wrote), so that a killed
            // run leaves its successor partitions to resume midway however slowly a loaded machine starts it.
            for (int waited = 0; waited < 20_000 && !job.HasExited && Checkpoints(checkpoint).SetEquals(before); waited += 5)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            int lifetime = random.Next(0, 250);
            await Task.Delay(lifetime, TestContext.Current.CancellationToken);
            resumedMidway += job.Error.Contains("resuming on 2 partitions", StringComparison.Ordinal) ? 1 : 0;
            if (job.HasExited || killed == CrashHarness.Kills)
            {
                int code = await job.WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.True(code == 0, $"Run {run} exited {code}; standard error:\n{job.Error}\n{log}");
                log.Append(CultureInfo.InvariantCulture, $"run {run}: read to the end\n");
                ended = true;
                continue;
            }

            await job.KillAsync();
            killed++;
            log.Append(CultureInfo.InvariantCulture, $"run {run}: killed {lifetime} ms after its first checkpoint\n");
        }

        Assert.True(ended, $"No run read to the end.\n{log}");
        Assert.True(killed > 0 && resumedMidway > 0, $"{killed} runs were killed and {resumedMidway} resumed partitions midway; the test needs one of each.\n{log}");
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.NotEmpty(Directory.GetFiles(output, "out-*-part-00001.txt"));
        Assert.All(Directory.GetFiles(output).Select(Path.GetFileName), name => Assert.Matches("^out-[0-9]+-part-0000[01]\\.txt$", name!));
        List<string> written = SortedRows(output);
        Assert.True(
            expected.SequenceEqual(written),
            $"The part files hold {written.Count} rows, the one-partition run {expected.Count}: rows were lost or doubled (seed {CrashHarness.Seed}).\n{log}");
    }

    // The names of the checkpoints in the directory (none before the first run).
    private static HashSet<string> Checkpoints(string directory) =>
        Directory.Exists(directory) ? [.. Directory.GetFileSystemEntries(directory, "checkpoint-*").Select(path => Path.GetFileName(path))] : [];

    // Every row of the directory's out-* files, sorted.
    private static List<string> SortedRows(string directory)
    {
        var rows = new List<string>();
        foreach (string file in Directory.GetFiles(directory, "out-*"))
        {
            rows.AddRange(File.ReadAllLines(file));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
