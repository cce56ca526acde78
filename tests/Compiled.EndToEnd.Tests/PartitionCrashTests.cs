using System.Globalization;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// A job on partitions with a checkpoint, as a machine failure meets it: the stateful word count over a file of tens of
/// megabytes on 2 partitions, with the file sink, killed with SIGKILL at seeded random moments and restarted until a run
/// reads to the end; each word's last total must be its count in the file, nothing missing and nothing counted twice.
/// </summary>
public class PartitionCrashTests
{
    [Fact]
    public async Task StatefulWordCount_OnTwoPartitions_KilledAndRestarted_EachWordsLastTotalIsItsCount()
    {
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed: 71, lines: 2_000_000);
        File.WriteAllBytes(temp.File("input.txt"), text);
        Dictionary<string, long> expected = Reference.WordCounts(text);
        string output = temp.File("out");
        string[] arguments =
        [
            "--source", "file://" + temp.File("input.txt"),
            "--sink", $"file://{output}/totals?suffix=txt",
            "--checkpoint", temp.File("checkpoint"),
            "--batch-interval", "50ms",
            "--parallelism", "2",
        ];

        var random = new Random(CrashHarness.Seed);
        var log = new System.Text.StringBuilder();
        int killed = 0, resumedMidway = 0;
        for (int run = 1; run <= 30; run++)
        {
            await using RunningExecutable job = RunningExecutable.Start(Repo.StatefulWordCountExecutable, Repo.StatefulWordCountDirectory, arguments);
            await job.WaitForErrorAsync(" starting: ");
            if (run == 1)
            {
                // The first run lives until it has committed a batch (a checkpoint written), however slow a loaded machine
                // starts it, so that the run after it resumes midway.
                await FirstBatchCommittedAsync(job, output);
            }

            int lifetime = random.Next(20, 400);
            await Task.Delay(lifetime, TestContext.Current.CancellationToken);
            if (job.HasExited || killed == CrashHarness.Kills)
            {
                int exit = await job.WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.True(exit == 0, $"Run {run} exited {exit}; standard error:\n{job.Error}\n{log}");
                log.Append(CultureInfo.InvariantCulture, $"run {run}: read to the end\n");
                resumedMidway += job.Error.Contains("resuming on 2 partitions", StringComparison.Ordinal) ? 1 : 0;
                break;
            }

            await job.KillAsync();
            killed++;
            resumedMidway += job.Error.Contains("resuming on 2 partitions", StringComparison.Ordinal) ? 1 : 0;
            log.Append(CultureInfo.InvariantCulture, $"run {run}: killed after {lifetime} ms\n");
        }

        Dictionary<string, long> last = LastTotals(output);
        Assert.True(killed > 0 && resumedMidway > 0, $"{killed} runs were killed and {resumedMidway} resumed partitions midway; the test needs one of each.\n{log}");
        Assert.True(
            expected.Count == last.Count && expected.All(e => last.GetValueOrDefault(e.Key) == e.Value),
            $"The last totals differ from the input's counts: expected {string.Join(" ", expected.Select(e => $"{e.Key}={e.Value}"))}, " +
            $"last {string.Join(" ", last.Select(e => $"{e.Key}={e.Value}"))} (seed {CrashHarness.Seed})\n{log}");
        Assert.Empty(Directory.GetFiles(output, ".*"));
    }

    // Waits until the sink's directory holds a committed batch file, or the job has ended.
    private static async Task FirstBatchCommittedAsync(RunningExecutable job, string output)
    {
        DateTime giveUp = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!job.HasExited && !(Directory.Exists(output) && Directory.GetFiles(output, "totals-*").Length > 0))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"The first run committed no batch in 2 minutes; standard error:\n{job.Error}");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    // Each word's total in the last batch file that holds it, batch files in time order.
    private static Dictionary<string, long> LastTotals(string directory)
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Dictionary<string, long> batch in FileSinkOutput.Batches(directory, "totals").Values)
        {
            foreach ((string word, long total) in batch)
            {
                last[word] = total;
            }
        }

        return last;
    }
}
