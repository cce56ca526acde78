using System.Text;
using Compiled.Hosting;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ.Tests;

/// <summary>
/// The stateful word count reading a PULL socket on two partitions (<c>Parallelism = 2</c>): one reader takes the
/// messages in batches and deals them to the partitions, and every word's last total sent is its count, as on one.
/// </summary>
public sealed class ZeroMQPartitionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WordCount_PullSource_OnTwoPartitions_CountsEveryMessageOnce()
    {
        int inPort = ZeroMQTest.FreePort();
        int outPort = ZeroMQTest.FreePort();
        using var receiver = new PullSocket();
        receiver.Bind($"tcp://127.0.0.1:{outPort}");
        var logged = new StringBuilder();
        PipelineRunOptions options = ZeroMQTest.Options($"zmq+tcp://127.0.0.1:{inPort}?socket=pull", $"zmq+tcp://127.0.0.1:{outPort}?socket=push");
        options.Parallelism = 2;
        options.LoggerFactory = new CapturingLoggerFactory(logged);

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQWordCount.Definition, options);
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        string[] lines = [.. Enumerable.Range(0, 50_000).Select(static i => $"w{i % 97} w{i % 13} common w{i % 389}")];
        using (var sender = new PushSocket())
        {
            sender.Connect($"tcp://127.0.0.1:{inPort}");
            foreach (string line in lines)
            {
                sender.SendFrame(line);
            }

            Dictionary<string, long> expected = lines
                .SelectMany(static line => line.Split(' '))
                .GroupBy(static word => word, StringComparer.Ordinal)
                .ToDictionary(static group => group.Key, static group => (long)group.Count(), StringComparer.Ordinal);

            // Each batch sends the running total of the words it saw: the last total of each word is its count.
            var totals = new Dictionary<string, long>(StringComparer.Ordinal);
            ZeroMQTest.ReceiveUntil(receiver, received =>
            {
                foreach (string[] message in received)
                {
                    totals[message[0]] = long.Parse(message[1], System.Globalization.CultureInfo.InvariantCulture);
                }

                received.Clear();
                return expected.All(pair => totals.TryGetValue(pair.Key, out long total) && total >= pair.Value);
            });
            Assert.Equal(expected, totals);
        }

        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(lines.Length, run.Sources[0].Counters.Records);
        Assert.Contains("runs on 2 partitions: one reader takes the messages of zmq+tcp://", CapturingLoggerFactory.Read(logged), StringComparison.Ordinal);
    }
}
