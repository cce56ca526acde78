using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// Runs a sample's executable as a job over a watched directory, with the file sink and a checkpoint directory, while
/// files arrive over time; kills it with SIGKILL at seeded random moments and restarts it each time, as a machine
/// failure and a supervisor would; then lets the last run take in the rest and stops it with SIGTERM. What the job
/// wrote (every committed batch file) is then compared with what the input must give.
/// </summary>
/// <remarks>
/// The number of kills is <c>COMPILED_CRASH_KILLS</c> (a few by default, so that the suite stays short; the long run
/// sets 30 or more) and the seed <c>COMPILED_CRASH_SEED</c>; a failure message names both, so a failing schedule can
/// be run again. The input files are written under a hidden name and renamed in, as a watched directory requires.
/// </remarks>
internal sealed class CrashHarness
{
    private readonly string _executable;
    private readonly string _workingDirectory;
    private readonly TempDirectory _temp;

    public CrashHarness(string executable, string workingDirectory, TempDirectory temp)
    {
        _executable = executable;
        _workingDirectory = workingDirectory;
        _temp = temp;
        Directory.CreateDirectory(Incoming);
        Directory.CreateDirectory(Output);
    }

    /// <summary>How many times the job is killed: <c>COMPILED_CRASH_KILLS</c>, or 4.</summary>
    public static int Kills { get; } = int.TryParse(Environment.GetEnvironmentVariable("COMPILED_CRASH_KILLS"), CultureInfo.InvariantCulture, out int kills) ? kills : 4;

    /// <summary>The seed of the kill moments and the input: <c>COMPILED_CRASH_SEED</c>, or a fixed one.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("COMPILED_CRASH_SEED"), CultureInfo.InvariantCulture, out int seed) ? seed : 20261205;

    /// <summary>The watched input directory.</summary>
    public string Incoming => _temp.File("in");

    /// <summary>Where the file sink writes, one file per batch: <c>part-&lt;batch time&gt;.txt</c>.</summary>
    public string Output => _temp.File("out");

    /// <summary>The job's checkpoint directory.</summary>
    public string Checkpoint => _temp.File("checkpoint");

    /// <summary>How the runs went, for a failure message.</summary>
    public StringBuilder Log { get; } = new();

    /// <summary>What names a failing schedule.</summary>
    public string Schedule => $"seed {Seed}, {Kills} kills (COMPILED_CRASH_SEED, COMPILED_CRASH_KILLS)";

    /// <summary>
    /// Feeds <paramref name="files"/> into the watched directory one every <paramref name="feedEvery"/>, while the job
    /// is killed (or stopped) <see cref="Kills"/> times at random moments and restarted; then runs the job until
    /// <paramref name="done"/> holds for the output (or a minute has passed), lets it run a few batches more (output
    /// doubled late would show), stops it with SIGTERM and returns the committed batch files' bytes by batch time.
    /// </summary>
    /// <param name="files">The input files, in the order they arrive.</param>
    /// <param name="feedEvery">How long after one file the next arrives.</param>
    /// <param name="done">Whether the output is complete.</param>
    /// <param name="graceful">Stop each run with SIGTERM (a deploy, a supervisor's stop) instead of SIGKILL, and check it exits 0.</param>
    public async Task<SortedDictionary<long, byte[]>> RunAsync(IReadOnlyList<byte[]> files, TimeSpan feedEvery, Func<SortedDictionary<long, byte[]>, bool> done, bool graceful = false)
    {
        var random = new Random(Seed);
        string[] arguments =
        [
            "--source", $"file://{Incoming}/?existing=true",
            "--sink", $"file://{Output}/part?suffix=txt",
            "--checkpoint", Checkpoint,
            "--batch-interval", "200ms",
        ];
        Task feeding = FeedAsync(files, feedEvery);
        for (int kill = 0; kill < Kills; kill++)
        {
            await using RunningExecutable job = RunningExecutable.Start(_executable, _workingDirectory, arguments);
            if (graceful)
            {
                // A SIGTERM before the process has set up its handlers ends it by the signal's default action, which
                // is a kill: a graceful stop waits until the run has started.
                await job.WaitForErrorAsync(" starting: ");
            }

            int lifetime = random.Next(150, 1500);
            await Task.Delay(lifetime, TestContext.Current.CancellationToken);
            bool exitedEarly = job.HasExited;
            if (graceful && !exitedEarly)
            {
                await job.SignalAsync("TERM");
                int stopped = await job.WaitForExitAsync(RunningPipeline.Patience);
                Assert.True(stopped == 0, $"Run {kill + 1} exited {stopped} on SIGTERM; standard error:\n{job.Error}");
            }
            else
            {
                await job.KillAsync();
            }

            Log.Append(CultureInfo.InvariantCulture, $"run {kill + 1}: {(graceful ? "stopped" : "killed")} after {lifetime} ms; {Committed().Count} batch files so far{(exitedEarly ? "; it had ended on its own" : "")}\n");
            if (job.Error.Contains("fail", StringComparison.OrdinalIgnoreCase))
            {
                Log.Append("  its standard error:\n").Append(job.Error);
            }

            Assert.False(exitedEarly, $"Run {kill + 1} ended before it was killed; {Schedule}; standard error:\n{job.Error}\n{Log}");
        }

        await feeding;
        await using RunningExecutable last = RunningExecutable.Start(_executable, _workingDirectory, arguments);
        await last.WaitForErrorAsync(" starting: ");
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!done(Committed()))
        {
            Assert.False(last.HasExited, $"The last run ended on its own; {Schedule}; standard error:\n{last.Error}\n{Log}");
            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await Task.Delay(1000, TestContext.Current.CancellationToken);
        await last.SignalAsync("TERM");
        int exit = await last.WaitForExitAsync(RunningPipeline.Patience);
        Assert.True(exit == 0, $"The last run exited {exit}; {Schedule}; standard error:\n{last.Error}\n{Log}");
        Assert.Empty(Directory.GetFiles(Output, ".*"));
        return Committed();
    }

    /// <summary>The committed batch files' bytes, by batch time; temporary files are not committed output.</summary>
    public SortedDictionary<long, byte[]> Committed()
    {
        var batches = new SortedDictionary<long, byte[]>();
        foreach (string file in Directory.GetFiles(Output, "part-*.txt"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            batches[long.Parse(name["part-".Length..], CultureInfo.InvariantCulture)] = File.ReadAllBytes(file);
        }

        return batches;
    }

    private async Task FeedAsync(IReadOnlyList<byte[]> files, TimeSpan every)
    {
        for (int i = 0; i < files.Count; i++)
        {
            string hidden = Path.Combine(Incoming, $".f{i:D4}.txt");
            await File.WriteAllBytesAsync(hidden, files[i], TestContext.Current.CancellationToken);
            File.Move(hidden, Path.Combine(Incoming, $"f{i:D4}.txt"));
            await Task.Delay(every, TestContext.Current.CancellationToken);
        }
    }
}
