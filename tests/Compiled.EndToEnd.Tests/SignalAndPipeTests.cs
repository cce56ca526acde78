using System.Diagnostics;
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
        await using var child = Executable.Start(["--source", "stdin:", "--log-level", "trace"]);
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
        await using var child = Executable.Start(["--source", "stdin:", "--batch-interval", "200ms"]);
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
        await using var child = Executable.Start(["--source", "stdin:", "--sink", $"file://{output}/counts?suffix=txt", "--log-level", "trace"]);
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
        await using var child = Executable.Start(["--source", "stdin:", "--sink", $"file://{output}/counts?suffix=txt", "--batch-interval", "1h", "--log-level", "trace"]);
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

    /// <summary>The sample's executable as a child process on real pipes, which the test reads, stops reading or closes.</summary>
    private sealed class Executable : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _error = new();
        private readonly CancellationTokenSource _feeding = new();
        private Task _feed = Task.CompletedTask;

        private Executable(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_error)
                    {
                        _error.Append(e.Data).Append('\n');
                    }
                }
            };
            _process.BeginErrorReadLine();
        }

        public string Error
        {
            get
            {
                lock (_error)
                {
                    return _error.ToString();
                }
            }
        }

        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public static Executable Start(string[] arguments)
        {
            var start = new ProcessStartInfo(Repo.WordCountExecutable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Repo.WordCountDirectory,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new Executable(Process.Start(start)!);
        }

        /// <summary>Writes <paramref name="input"/> to the child's standard input in the background; the pipe stays open if <paramref name="keepOpen"/>, as a live feed's would.</summary>
        public void FeedStandardInput(byte[] input, bool keepOpen)
        {
            Stream stdin = _process.StandardInput.BaseStream;
            CancellationToken cancel = _feeding.Token;
            _feed = Task.Run(
                async () =>
                {
                    try
                    {
                        for (int offset = 0; offset < input.Length; offset += 65_536)
                        {
                            await stdin.WriteAsync(input.AsMemory(offset, Math.Min(65_536, input.Length - offset)), cancel);
                        }

                        await stdin.FlushAsync(cancel);
                        if (!keepOpen)
                        {
                            stdin.Close();
                        }
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The child stopped reading or ended; what it did with its input is what the test checks.
                    }
                },
                cancel);
        }

        /// <summary>Reads standard output, a few kilobytes at a time, until it has shown <paramref name="text"/>, and then stops reading it.</summary>
        public async Task ReadStandardOutputUntilAsync(string text)
        {
            var seen = new StringBuilder();
            byte[] chunk = new byte[4096];
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(RunningPipeline.Patience);
            while (!seen.ToString().Contains(text, StringComparison.Ordinal))
            {
                int read = await _process.StandardOutput.BaseStream.ReadAsync(chunk, deadline.Token);
                Assert.True(read > 0, $"Standard output ended before it showed '{text[..Math.Min(20, text.Length)]}...'; standard error:\n{Error}");
                seen.Append(Encoding.Latin1.GetString(chunk, 0, read));
            }
        }

        /// <summary>Reads <paramref name="count"/> lines of standard output, as <c>head -n</c> does.</summary>
        public async Task<string[]> ReadStandardOutputLinesAsync(int count)
        {
            var lines = new string[count];
            for (int i = 0; i < count; i++)
            {
                string? line = await _process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)
                    .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
                lines[i] = line ?? throw new InvalidOperationException("Standard output ended early; standard error:\n" + Error);
            }

            return lines;
        }

        /// <summary>Closes the test's end of the standard output pipe, as <c>head</c> does when it exits.</summary>
        public void CloseStandardOutput() => _process.StandardOutput.Dispose();

        public async Task SignalAsync(string signal)
        {
            var (killed, _, killError) = await ChildProcess.RunAsync("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
            Assert.True(killed == 0, killError);
        }

        /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
        public async Task WaitForErrorAsync(string text)
        {
            DateTime deadline = DateTime.UtcNow + RunningPipeline.Patience;
            while (!Error.Contains(text, StringComparison.Ordinal))
            {
                Assert.False(_process.HasExited, $"The executable ended before it wrote '{text}'; standard error:\n{Error}");
                Assert.True(DateTime.UtcNow < deadline, $"The executable did not write '{text}' to standard error in time; it wrote:\n{Error}");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }

        /// <summary>Waits for the process to end within <paramref name="bound"/>, failing (and killing it) if it does not.</summary>
        public async Task<int> WaitForExitAsync(TimeSpan bound)
        {
            try
            {
                await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(bound, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"The executable did not end within {bound.TotalSeconds:F0} s; standard error:\n{Error}");
            }

            // The asynchronous reader of standard error has seen its end once the process has exited.
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            await _feeding.CancelAsync();
            await _feed;
            _feeding.Dispose();
            _process.Dispose();
        }
    }
}
