using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The executable under a supervisor's signals and real pipes: a stop while standard output is blocked, a reader of
/// standard output that goes away, SIGHUP, and a stop with a long batch interval. Each test bounds the process's
/// exit generously (20 s), only to tell a stop that is honoured from one that hangs.
/// </summary>
public class SignalAndPipeTests
{
    // Long enough for a loaded machine, far shorter than the hangs these tests catch (the stdout pipe is never read,
    // the batch interval is an hour).
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("TERM", "TERM", 143)]
    [InlineData("INT", "INT", 130)]
    [InlineData("HUP", "HUP", 129)]
    [InlineData("INT", "TERM", 143)]
    public async Task WordCount_Executable_BlockedStandardOutput_StopIsLoggedAtOnce_AndASecondSignalEndsTheProcessWith128PlusItsNumber(string first, string second, int exitCode)
    {
        // `WordCount --source stdin: | sleep 120`: the batch holding a word of 300 KB prints more than a pipe holds
        // (64 KB); the test reads standard output until that batch's print has begun, and then no more, so the write blocks.
        await using var child = RunningExecutable.Start(["--source", "stdin:", "--log-level", "trace"]);
        child.FeedStandardInput(Encoding.ASCII.GetBytes(new string('w', 300_000) + "\n"), keepOpen: true);
        await child.ReadStandardOutputUntilAsync("(" + new string('w', 1_000));

        // The stop is acted on at once: the handler's line reaches standard error though standard output is blocked.
        await child.SignalAsync(first);
        await child.WaitForErrorAsync($"SIG{first} received");

        // A second signal abandons the batch; the blocked write cannot return, so the process ends within its grace period.
        await child.SignalAsync(second);
        int exited = await child.WaitForExitAsync(ExitBound);

        Assert.True(exited == exitCode, $"exit code {exited}, expected {exitCode}; standard error:\n{child.Error}");
        Assert.Contains($"SIG{second} received again", child.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_ReaderOfStandardOutputGoesAway_EndsTheJobWithExitOneAndTheReason()
    {
        // `yes 'a b' | WordCount --source stdin: | head -3`.
        await using var child = RunningExecutable.Start(["--source", "stdin:", "--batch-interval", "200ms"]);
        child.FeedStandardInput(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a b\n", 100_000))), keepOpen: true);
        string[] lines = await child.ReadStandardOutputLinesAsync(3);
        Assert.Equal("-------------------------------------------", lines[0]);
        child.CloseStandardOutput();

        int exited = await child.WaitForExitAsync(ExitBound);

        Assert.True(exited == 1, $"exit code {exited}; standard error:\n{child.Error}");
        string reason = Assert.Single(child.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Matches(@"^error: Pipeline 'WordCount' failed in batch \d+ ms: the console sink cannot write to standard output: Broken pipe \(its reader has gone away\); nothing more can be printed$", reason);
        Assert.DoesNotContain("   at ", child.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_StandardOutputFull_FailsLikeAClosedOne()
    {
        // `WordCount >/dev/full`: the same exit code and the same one line as a closed pipe, with the device's reason.
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            "/bin/sh", ["-c", "exec \"$0\" >/dev/full", Repo.WordCountExecutable], Repo.WordCountDirectory, ExitBound);

        Assert.True(exitCode == 1, $"exit code {exitCode}; standard error:\n{error}");
        string reason = Assert.Single(error.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Matches(@"^error: Pipeline 'WordCount' failed in batch \d+ ms: the console sink cannot write to standard output: No space left on device; nothing more can be printed$", reason);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_NonBlockingStandardOutput_ASlowReaderGetsEveryLine()
    {
        // A parent may hand over standard output in non-blocking mode (O_NONBLOCK on the pipe, as some process
        // managers and runtimes leave it): a write into a full pipe then fails with EAGAIN instead of waiting. The job
        // must wait for the reader as it does on a blocking pipe, not fail. perl (in every Debian, as perl-base) sets
        // the flag and execs the job; the reader starts reading after two seconds, when the pipe has long been full.
        const string Job = """
            seq 1 100000 | perl -e 'use Fcntl; my $f = fcntl(STDOUT, F_GETFL, 0) or die "F_GETFL: $!"; fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK) or die "F_SETFL: $!"; exec @ARGV or die "exec: $!"' -- "$0" --source stdin: --sink 'console?num=1000000' --log-level warning | (sleep 2; cat)
            exit "${PIPESTATUS[1]}"
            """;
        var (exitCode, output, error) = await ChildProcess.RunAsync("bash", ["-c", Job, Repo.WordCountExecutable], Repo.WordCountDirectory, TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.True(output.Length > 512 * 1024, $"only {output.Length} bytes of output; a pipe holds 64 KB, and the reader should have had to wait");

        // Every batch printed whole: the records of all batches add up to each number once.
        string records = string.Join('\n', output.Split('\n').Where(l => l.StartsWith('(') && l.EndsWith(')')));
        var expected = Enumerable.Range(1, 100_000).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => 1L);
        Assert.Equal(expected, FileSinkOutput.ParsePairs(Encoding.ASCII.GetBytes(records + "\n")));
    }

    [Fact]
    public async Task WordCount_Executable_Sighup_IsAGracefulStop_CommitsAndLeavesNoTemporaryFile()
    {
        // Closing an SSH session sends SIGHUP: the batch in flight is committed, its temporary file renamed, exit 0.
        using var temp = new TempDirectory();
        string output = Path.Combine(temp.Path, "out");
        await using var child = RunningExecutable.Start(["--source", "stdin:", "--sink", $"file://{output}/counts?suffix=txt", "--log-level", "trace"]);
        byte[] text = Encoding.ASCII.GetBytes("to be or not to be\nthat is the question\n");
        child.FeedStandardInput(text, keepOpen: true);
        await child.WaitForErrorAsync($" {text.Length} bytes consumed in all");

        await child.SignalAsync("HUP");
        int exited = await child.WaitForExitAsync(ExitBound);

        Assert.True(exited == 0, $"exit code {exited}; standard error:\n{child.Error}");
        Assert.Contains("SIGHUP received", child.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, ".*"));
        Assert.Equal(Reference.WordCounts(text), FileSinkOutput.Sum(FileSinkOutput.Batches(output, "counts").Values));
    }

    [Fact]
    public async Task WordCount_Executable_StopWithAnHourLongInterval_CommitsAtOnce_LabelledWithItsBatchTime()
    {
        // `--batch-interval 1h`, then Ctrl+C: the batch in flight is committed now, not at the end of the hour, under
        // the time it would have had (the end of the hour the run started in).
        using var temp = new TempDirectory();
        string output = Path.Combine(temp.Path, "out");
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var child = RunningExecutable.Start(["--source", "stdin:", "--sink", $"file://{output}/counts?suffix=txt", "--batch-interval", "1h", "--log-level", "trace"]);
        byte[] text = Encoding.ASCII.GetBytes("to be or not to be\n");
        child.FeedStandardInput(text, keepOpen: true);
        await child.WaitForErrorAsync($" {text.Length} bytes consumed in all");
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await child.SignalAsync("INT");
        int exited = await child.WaitForExitAsync(ExitBound);

        Assert.True(exited == 0, $"exit code {exited}; standard error:\n{child.Error}");
        var batches = FileSinkOutput.Batches(output, "counts");
        long label = Assert.Single(batches.Keys);
        const long Hour = 3_600_000;
        Assert.Equal(0, label % Hour);
        Assert.InRange(label, ((before / Hour) + 1) * Hour, ((after / Hour) + 1) * Hour);
        Assert.Equal(Reference.WordCounts(text), batches[label]);
    }
}
