using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Connectors.WriteAheadLog;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// <c>tcp://host:port?wal=true</c> with <c>--checkpoint</c>, end to end: the word count executable receives lines that
/// the sender writes once, is killed (SIGKILL) once what it received is in its write-ahead log, and is started again;
/// its file sink output then counts every line exactly once, though the sender never sends anything again.
/// </summary>
public class TcpWriteAheadLogRecoveryTests
{
    private const int Lines = 20_000;

    [Fact]
    public async Task WordCount_TcpWithWriteAheadLog_KilledMidStreamAndRestarted_CountsEveryLineExactlyOnce()
    {
        using var temp = new TempDirectory();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string output = temp.File("out");
        string checkpoint = temp.File("checkpoint");
        string[] arguments =
        [
            "--source", $"tcp://127.0.0.1:{port}?wal=true&reconnectDelay=50ms",
            "--sink", $"file://{output}/counts?suffix=txt",
            "--checkpoint", checkpoint,
            "--batch-interval", "1s",
        ];

        // Each line has a word of its own and a word every line shares: a line counted twice or lost shows in both.
        byte[] firstHalf = LinesText(0, Lines / 2);
        byte[] secondHalf = LinesText(Lines / 2, Lines);

        int killedExit;
        await using (RunningExecutable first = RunningExecutable.Start(arguments))
        {
            using TcpClient sender = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken)
                .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
            NetworkStream stream = sender.GetStream();

            // Half, then once a batch of it is committed, the rest; the job dies as soon as the rest is in its log, so
            // (with a one-second batch) while the batch holding it is still in flight.
            await stream.WriteAsync(firstHalf, TestContext.Current.CancellationToken);
            await WaitUntilAsync(() => Shared(Committed(output)) > 0, first, "a batch of the first half is committed");
            await stream.WriteAsync(secondHalf, TestContext.Current.CancellationToken);
            string log = Path.Combine(checkpoint, "wal", "Input");
            await WaitUntilAsync(() => BytesInLog(log) == firstHalf.Length + secondHalf.Length, first, "every line sent is in the write-ahead log");

            await first.SignalAsync("KILL");
            killedExit = await first.WaitForExitAsync(RunningPipeline.Patience);
        }

        Assert.Equal(128 + 9, killedExit);
        long sharedBeforeRestart = Shared(Committed(output));

        await using RunningExecutable second = RunningExecutable.Start(arguments);

        // The restarted job replays its log, then connects again; the sender has nothing more to send.
        using TcpClient reconnected = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken)
            .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => Shared(Committed(output)) >= Lines, second, "every line is counted");
        await second.SignalAsync("TERM");
        Assert.Equal(0, await second.WaitForExitAsync(RunningPipeline.Patience));

        Dictionary<string, long> counted = Committed(output);
        var expected = new Dictionary<string, long>(StringComparer.Ordinal) { ["tick"] = Lines };
        for (int i = 0; i < Lines; i++)
        {
            expected[Word(i)] = 1;
        }

        string doubled = string.Join(", ", counted.Where(c => c.Value > expected.GetValueOrDefault(c.Key)).Take(5).Select(c => $"{c.Key}={c.Value}"));
        string missing = string.Join(", ", expected.Where(e => counted.GetValueOrDefault(e.Key) < e.Value).Take(5).Select(e => e.Key));
        Assert.True(
            doubled.Length == 0 && missing.Length == 0,
            $"counted twice: [{doubled}]; missing: [{missing}] ({sharedBeforeRestart} lines were committed before the kill); the restart wrote:\n{second.Error}");
        Assert.Equal(expected, counted);

        // Every batch is committed: no temporary (hidden) batch file is left.
        Assert.DoesNotContain(Directory.GetFiles(output), f => Path.GetFileName(f).StartsWith('.'));
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

    // The sum of every committed batch file's counts.
    private static Dictionary<string, long> Committed(string output) =>
        Directory.Exists(output) ? FileSinkOutput.Sum(FileSinkOutput.Batches(output, "counts").Values) : [];

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
