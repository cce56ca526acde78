using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Connectors.WriteAheadLog;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// <c>tcp://host:port?wal=true</c> with <c>--checkpoint</c>, end to end: the word count and the stateful word count
/// executables receive lines that the sender writes once, are killed (SIGKILL) once what they received is in their
/// write-ahead log, and are started again; their file sink output then counts every line exactly once, though the
/// sender never sends anything again.
/// </summary>
public class TcpWriteAheadLogRecoveryTests
{
    private const int Lines = 20_000;

    [Fact]
    public async Task WordCount_TcpWithWriteAheadLog_KilledMidStreamAndRestarted_CountsEveryLineExactlyOnce()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out");

        // Each batch's counts: summed over the batches, every line's own word once and the shared word once per line.
        await KillMidStreamAndRestartAsync(
            Repo.WordCountExecutable, Repo.WordCountDirectory, temp, () => Shared(Summed(output)));

        Dictionary<string, long> counted = Summed(output);
        Assert.Null(Mismatches(counted));
        Assert.Equal(Expected(), counted);
        Assert.DoesNotContain(Directory.GetFiles(output), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task StatefulWordCount_TcpWithWriteAheadLog_KilledMidStreamAndRestarted_LastTotalsCountEveryLineExactlyOnce()
    {
        using var temp = new TempDirectory();
        string output = temp.File("out");

        // Running totals kept in the checkpoint: each word's last total is its count in everything sent, and no total
        // ever went past it (a line counted twice would show, even if a later total were right).
        await KillMidStreamAndRestartAsync(
            Repo.StatefulWordCountExecutable, Repo.StatefulWordCountDirectory, temp, () => Shared(LastTotals(output)));

        Dictionary<string, long> last = LastTotals(output);
        Assert.Null(Mismatches(last));
        Assert.Equal(Expected(), last);
        Dictionary<string, long> expected = Expected();
        foreach (Dictionary<string, long> batch in Batches(output).Values)
        {
            Assert.DoesNotContain(batch, total => total.Value > expected.GetValueOrDefault(total.Key));
        }

        Assert.DoesNotContain(Directory.GetFiles(output), f => Path.GetFileName(f).StartsWith('.'));
    }

    // Runs the job on a TCP source with a write-ahead log and a checkpoint, writing to a file sink in temp/out: sends
    // half the lines, and once a batch of them is committed the rest; kills the job (SIGKILL) as soon as its log
    // holds every line, so (with one-second batches) while the batch holding the rest is in flight; starts it again,
    // sends nothing more, and stops it (SIGTERM) once sharedCount says every line is counted.
    private static async Task KillMidStreamAndRestartAsync(string executable, string directory, TempDirectory temp, Func<long> sharedCount)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string checkpoint = temp.File("checkpoint");
        string[] arguments =
        [
            "--source", $"tcp://127.0.0.1:{port}?wal=true&reconnectDelay=50ms",
            "--sink", $"file://{temp.File("out")}/counts?suffix=txt",
            "--checkpoint", checkpoint,
            "--batch-interval", "1s",
        ];

        // Each line has a word of its own and a word every line shares: a line counted twice or lost shows in both.
        byte[] firstHalf = LinesText(0, Lines / 2);
        byte[] secondHalf = LinesText(Lines / 2, Lines);

        int killedExit;
        await using (RunningExecutable first = RunningExecutable.Start(executable, directory, arguments))
        {
            using TcpClient sender = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken)
                .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
            NetworkStream stream = sender.GetStream();
            await stream.WriteAsync(firstHalf, TestContext.Current.CancellationToken);
            await WaitUntilAsync(() => sharedCount() > 0, first, "a batch of the first half is committed");
            await stream.WriteAsync(secondHalf, TestContext.Current.CancellationToken);
            string log = Path.Combine(checkpoint, "wal", "Input");
            await WaitUntilAsync(() => BytesInLog(log) == firstHalf.Length + secondHalf.Length, first, "every line sent is in the write-ahead log");

            await first.SignalAsync("KILL");
            killedExit = await first.WaitForExitAsync(RunningPipeline.Patience);
        }

        Assert.Equal(128 + 9, killedExit);

        await using RunningExecutable second = RunningExecutable.Start(executable, directory, arguments);

        // The restarted job replays its log, then connects again; the sender has nothing more to send.
        using TcpClient reconnected = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken)
            .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => sharedCount() >= Lines, second, "every line is counted");
        await second.SignalAsync("TERM");
        Assert.True(await second.WaitForExitAsync(RunningPipeline.Patience) == 0, second.Error);
    }

    // Every line's word once, and the shared word once per line.
    private static Dictionary<string, long> Expected()
    {
        var expected = new Dictionary<string, long>(StringComparer.Ordinal) { ["tick"] = Lines };
        for (int i = 0; i < Lines; i++)
        {
            expected[Word(i)] = 1;
        }

        return expected;
    }

    // What differs from Expected, in words, or null when nothing does.
    private static string? Mismatches(Dictionary<string, long> counted)
    {
        Dictionary<string, long> expected = Expected();
        string doubled = string.Join(", ", counted.Where(c => c.Value > expected.GetValueOrDefault(c.Key)).Take(5).Select(c => $"{c.Key}={c.Value}"));
        string missing = string.Join(", ", expected.Where(e => counted.GetValueOrDefault(e.Key) < e.Value).Take(5).Select(e => e.Key));
        return doubled.Length == 0 && missing.Length == 0 ? null : $"counted more than once: [{doubled}]; missing: [{missing}]";
    }

    private static string Word(int line) => "w" + line.ToString(CultureInfo.InvariantCulture);

    private static byte[] LinesText(int from, int to)
    {
        var text = new StringBuilder();
        for (int i = from; i < to; i++)
        {
            text.Append("tick ").Append(Word(i)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static SortedDictionary<long, Dictionary<string, long>> Batches(string output) =>
        Directory.Exists(output) ? FileSinkOutput.Batches(output, "counts") : [];

    // The sum of every committed batch file's counts.
    private static Dictionary<string, long> Summed(string output) => FileSinkOutput.Sum(Batches(output).Values);

    // Each word's total in the last committed batch file that has it.
    private static Dictionary<string, long> LastTotals(string output)
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Dictionary<string, long> batch in Batches(output).Values)
        {
            foreach ((string word, long total) in batch)
            {
                last[word] = total;
            }
        }

        return last;
    }

    private static long Shared(Dictionary<string, long> counts) => counts.GetValueOrDefault("tick");

    // The bytes the log holds, read from a copy of it (opening the log itself would end the connection being written).
    private static long BytesInLog(string log)
    {
        if (!Directory.Exists(log))
        {
            return 0;
        }

        string copy = log + "-copy-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(log))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using WriteAheadLogDirectory opened = WriteAheadLogDirectory.Open(copy);
            using WriteAheadLogReplay replay = opened.Replay(opened.Start);
            long bytes = 0;
            byte[] buffer = new byte[65_536];
            while (replay.TryNextConnection(out _, out Stream connection))
            {
                int read;
                while ((read = connection.Read(buffer)) > 0)
                {
                    bytes += read;
                }
            }

            return bytes;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, RunningExecutable job, string what)
    {
        DateTime deadline = DateTime.UtcNow + RunningPipeline.Patience;
        while (!condition())
        {
            Assert.False(job.HasExited, $"The job ended before {what}; it wrote:\n{job.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}; the job wrote:\n{job.Error}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
