using Compiled.Hosting;
using Compiled.ZeroMQ;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.Benchmarks.Connectors;

/// <summary>
/// ZeroMQ: NetMQ alone, a PUSH sender, a relay thread (PULL in, PUSH out) and a PULL receiver, against the same two
/// hops through a pass-through pipeline (<c>zmq+tcp://...?socket=pull</c> in, <c>?socket=push</c> out); and the word
/// count's lines through a PULL source, against NetMQ alone carrying the same lines PUSH to PULL.
/// </summary>
internal static class ZeroMQBenchmark
{
    private const int HighWaterMark = 10_000;

    public static async Task<List<Figure>> RunAsync(Settings settings)
    {
        byte[][] messages = Harness.Keys(settings.Records);
        byte[][] lines = Harness.WordLines(settings.Lines);

        var relay = new Figure("ZeroMQ", "raw client: PUSH → relay thread (PULL → PUSH) → PULL", messages.Length);
        var passThrough = new Figure("ZeroMQ", "pass-through: PUSH → pipeline (pull source → push sink) → PULL", messages.Length, relay);
        var rawLines = new Figure("ZeroMQ", "raw client: the word count's lines, PUSH → PULL", lines.Length);
        var wordCount = new Figure("ZeroMQ", "word count: PUSH → pipeline (pull source → push sink)", lines.Length, rawLines);
        // In order in an even round, in reverse in an odd one, as Harness.RoundAsync does (the pipelines' rounds are
        // timed to when their last record arrived, so they are listed here).
        Func<Task>[] cases =
        [
            () => relay.MeasureAsync(() => Task.Run(() => Relay(messages))),
            () => passThrough.MeasureAsync(() => PipelineAsync(PassThrough.Definition, messages, expectOut: messages.Length)),
            () => rawLines.MeasureAsync(() => Task.Run(() => Direct(lines))),
            () => wordCount.MeasureAsync(() => PipelineAsync(WordCount.Definition, lines, expectOut: 0)),
        ];
        for (int round = 0; round <= settings.Rounds; round++)
        {
            foreach (Func<Task> measure in round % 2 == 0 ? cases : cases.Reverse())
            {
                await measure();
            }
        }

        return [relay, passThrough, rawLines, wordCount];
    }

    // NetMQ alone: sender → relay → receiver, each socket on a thread of its own, as the pipeline has them.
    private static void Relay(byte[][] messages)
    {
        int inPort = Harness.FreePort();
        int outPort = Harness.FreePort();
        using var receiver = new PullSocket();
        receiver.Options.ReceiveHighWatermark = HighWaterMark;
        receiver.Bind($"tcp://127.0.0.1:{outPort}");
        using var bound = new ManualResetEventSlim();
        Thread relay = new(() =>
        {
            using var input = new PullSocket();
            using var output = new PushSocket();
            input.Options.ReceiveHighWatermark = HighWaterMark;
            output.Options.SendHighWatermark = HighWaterMark;
            output.Options.Linger = TimeSpan.FromSeconds(30);   // closing waits for what it still queues to go out
            input.Bind($"tcp://127.0.0.1:{inPort}");
            output.Connect($"tcp://127.0.0.1:{outPort}");
            bound.Set();
            var message = new Msg();
            message.InitEmpty();
            for (int i = 0; i < messages.Length; i++)
            {
                input.Receive(ref message);
                output.Send(ref message, more: false);
            }

            message.Close();
        });
        relay.Start();
        bound.Wait();
        Sender sender = Send(messages, inPort);
        Receive(receiver, messages.Length);
        sender.Join();
        relay.Join();
    }

    // NetMQ alone, one hop: sender → receiver.
    private static void Direct(byte[][] messages)
    {
        int port = Harness.FreePort();
        using var receiver = new PullSocket();
        receiver.Options.ReceiveHighWatermark = HighWaterMark;
        receiver.Bind($"tcp://127.0.0.1:{port}");
        Sender sender = Send(messages, port);
        Receive(receiver, messages.Length);
        sender.Join();
    }

    // The pipeline between the benchmark's sender and receiver, timed until the receiver has expectOut messages (the
    // pass-through) or, for the word count, when the source has taken every line and the batch holding the last committed.
    private static async Task<long> PipelineAsync(PipelineDefinition definition, byte[][] messages, int expectOut)
    {
        int inPort = Harness.FreePort();
        int outPort = Harness.FreePort();
        using var receiver = new PullSocket();
        receiver.Options.ReceiveHighWatermark = HighWaterMark;
        receiver.Bind($"tcp://127.0.0.1:{outPort}");
        var options = new PipelineRunOptions();
        options.SourceUris["Input"] = $"zmq+tcp://127.0.0.1:{inPort}?socket=pull&hwm={HighWaterMark}";
        options.SinkUris["Output"] = $"zmq+tcp://127.0.0.1:{outPort}?socket=push&hwm={HighWaterMark}";
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(definition, options);
        Task running = run.RunAsync(stop.Token);

        // Sent once the source has bound its port, as the raw sender is once the relay has: a sender that connects
        // first is refused and tries again 100 ms later.
        var source = (ZeroMQSource)run.Sources[0];
        await Harness.WaitUntilAsync(() => source.BoundAddress is not null, "the source has bound its port");
        Sender sender = Send(messages, inPort);
        long ended;
        if (expectOut > 0)
        {
            await Task.Run(() => Receive(receiver, expectOut));
            ended = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        else
        {
            using var draining = new CancellationTokenSource();
            Task drain = Task.Run(() => Drain(receiver, draining.Token));
            await Harness.WaitUntilAsync(() => source.Counters.Records >= messages.Length, "the word count's source has taken every line");
            long committed = run.BatchesCompleted;
            await Harness.WaitUntilAsync(() => run.BatchesCompleted > committed, "the batch holding the last line has committed");
            ended = System.Diagnostics.Stopwatch.GetTimestamp();
            sender.Join();
            await stop.CancelAsync();
            await running;

            // The run is over and its sink closed: what it still queued has gone out to the receiver, draining till now.
            await draining.CancelAsync();
            await drain;
        }

        if (expectOut > 0)
        {
            sender.Join();
            await stop.CancelAsync();
            await running;
        }

        if (run.Sources[0].Counters.Records != messages.Length)
        {
            throw new InvalidOperationException($"The pipeline took {run.Sources[0].Counters.Records} messages, not {messages.Length}.");
        }

        return ended;
    }

    // Sends every message from a thread of its own, and keeps the socket open until told (Sender.Dispose): NetMQ drops
    // what a closed socket still queues for a peer that has not connected yet.
    private static Sender Send(byte[][] messages, int port)
    {
        var done = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            using var sender = new PushSocket();
            sender.Options.SendHighWatermark = HighWaterMark;
            sender.Options.Linger = TimeSpan.FromSeconds(30);
            sender.Connect($"tcp://127.0.0.1:{port}");
            foreach (byte[] message in messages)
            {
                sender.SendFrame(message);
            }

            done.Wait();
        });
        thread.Start();
        return new Sender(thread, done);
    }

    private sealed class Sender(Thread thread, ManualResetEventSlim done)
    {
        public void Join()
        {
            done.Set();
            thread.Join();
            done.Dispose();
        }
    }

    private static void Receive(PullSocket receiver, int count)
    {
        var message = new Msg();
        message.InitEmpty();
        for (int received = 0; received < count;)
        {
            if (!receiver.TryReceive(ref message, TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException($"The receiver got {received} of {count} messages and then nothing for 2 minutes.");
            }

            if (!message.HasMore)
            {
                received++;
            }
        }

        message.Close();
    }

    private static void Drain(PullSocket receiver, CancellationToken stop)
    {
        var message = new Msg();
        message.InitEmpty();
        while (!stop.IsCancellationRequested)
        {
            receiver.TryReceive(ref message, TimeSpan.FromMilliseconds(50));
        }

        message.Close();
    }
}
