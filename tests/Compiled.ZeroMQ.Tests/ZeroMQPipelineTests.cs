using System.Text;
using Compiled.Hosting;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ.Tests;

/// <summary>
/// Compiled pipelines reading from and writing to ZeroMQ sockets that the test holds itself (NetMQ, no server): a known
/// set of messages in, and every record checked as the test's own socket receives it.
/// </summary>
public sealed class ZeroMQPipelineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PullSourceToPushSink_KnownSet_EveryRecordArrivesOnceAndInOrder()
    {
        int inPort = ZeroMQTest.FreePort();
        int outPort = ZeroMQTest.FreePort();
        string[] records = [.. Enumerable.Range(0, 10_000).Select(i => $"record {i} {new string('x', i % 50)}")];
        using var receiver = new PullSocket();
        receiver.Bind($"tcp://127.0.0.1:{outPort}");

        // The job's PULL binds and its PUSH connects, by default; the test's PUSH connects to the job.
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQPassThrough.Definition, ZeroMQTest.Options(
            $"zmq+tcp://127.0.0.1:{inPort}?socket=pull", $"zmq+tcp://127.0.0.1:{outPort}?socket=push"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        using (var sender = new PushSocket())
        {
            sender.Connect($"tcp://127.0.0.1:{inPort}");
            foreach (string record in records)
            {
                sender.SendFrame(record);
            }

            List<string[]> received = ZeroMQTest.ReceiveUntil(receiver, r => r.Count >= records.Length);
            Assert.All(received, message => Assert.Single(message));
            Assert.Equal(records, received.Select(message => message[0]));
            Assert.Null(ZeroMQTest.Receive(receiver, TimeSpan.FromMilliseconds(300)));
        }

        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(records.Length, run.Sources[0].Counters.Records);
        Assert.Equal(records.Length, Assert.IsType<ZeroMQSink>(run.Sinks[0]).Sent);
    }

    [Fact]
    public async Task PushSinkWithFormatJson_EveryRecordIsOneFrameHoldingItsJsonObject()
    {
        int inPort = ZeroMQTest.FreePort();
        int outPort = ZeroMQTest.FreePort();
        string[] records = [.. Enumerable.Range(0, 1000).Select(i => $"record {i} \"quoted\" back\\slash é")];
        using var receiver = new PullSocket();
        receiver.Bind($"tcp://127.0.0.1:{outPort}");

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQPassThrough.Definition, ZeroMQTest.Options(
            $"zmq+tcp://127.0.0.1:{inPort}?socket=pull", $"zmq+tcp://127.0.0.1:{outPort}?socket=push&format=json"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        using (var sender = new PushSocket())
        {
            sender.Connect($"tcp://127.0.0.1:{inPort}");
            foreach (string record in records)
            {
                sender.SendFrame(record);
            }

            List<string[]> received = ZeroMQTest.ReceiveUntil(receiver, r => r.Count >= records.Length);
            Assert.All(received, message => Assert.Single(message));
            Assert.Equal(
                records.Select(r => System.Text.Json.JsonSerializer.Serialize(new { value = r }, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })),
                received.Select(message => message[0]));
        }

        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task SubSourceWithTopic_WordCount_OnlyThatTopicsLinesCounted_TotalsSentAsWordAndTotalFrames()
    {
        int inPort = ZeroMQTest.FreePort();
        int outPort = ZeroMQTest.FreePort();
        using var publisher = new PublisherSocket();
        publisher.Options.SendHighWatermark = 100_000;
        publisher.Bind($"tcp://127.0.0.1:{inPort}");
        using var receiver = new PullSocket();
        receiver.Bind($"tcp://127.0.0.1:{outPort}");

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQWordCount.Definition, ZeroMQTest.Options(
            $"zmq+tcp://127.0.0.1:{inPort}?socket=sub&topic=words,more&hwm=100000", $"zmq+tcp://127.0.0.1:{outPort}?socket=push"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        Compiled.Connectors.Source source = run.Sources[0];

        // A subscriber sees only what is published after it has joined: publish a probe until the job has one.
        await ZeroMQTest.WaitUntil(
            () =>
            {
                publisher.SendMoreFrame("words").SendFrame("probe");
                return source.Counters.Records > 0;
            },
            "the job's subscriber has joined");

        // [topic, line]: lines on "words" and "more" are counted, those on "noise" are filtered out by the socket.
        string[] lines = [.. Enumerable.Range(0, 3000).Select(i => $"w{i % 97} w{i % 13} common")];
        for (int i = 0; i < lines.Length; i++)
        {
            publisher.SendMoreFrame(i % 2 == 0 ? "words" : "more").SendFrame(lines[i]);
            publisher.SendMoreFrame("noise").SendFrame("noise noise");
        }

        Dictionary<string, long> expected = lines
            .SelectMany(line => line.Split(' '))
            .GroupBy(word => word, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => (long)group.Count(), StringComparer.Ordinal);

        // Each batch sends the running total of the words it saw: the last total of each word is its count.
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        ZeroMQTest.ReceiveUntil(receiver, received =>
        {
            foreach (string[] message in received)
            {
                Assert.Equal(2, message.Length);
                totals[message[0]] = long.Parse(message[1], System.Globalization.CultureInfo.InvariantCulture);
            }

            received.Clear();
            return expected.All(pair => totals.TryGetValue(pair.Key, out long total) && total == pair.Value);
        });

        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
        // The probes came before the lines on the one connection, so their total is final too: every message once.
        Assert.Equal(totals["probe"] + lines.Length, source.Counters.Records);
        Assert.DoesNotContain("noise", totals.Keys);
        totals.Remove("probe");
        Assert.Equal(expected, totals);
    }

    [Fact]
    public async Task PubSink_TestSubscriber_GetsEveryRecordPublishedAfterItJoined()
    {
        int inPort = ZeroMQTest.FreePort();
        int outPort = ZeroMQTest.FreePort();

        // The job's PUB binds by default; the test's SUB connects to it.
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQPassThrough.Definition, ZeroMQTest.Options(
            $"zmq+tcp://127.0.0.1:{inPort}?socket=pull", $"zmq+tcp://127.0.0.1:{outPort}?socket=pub&hwm=100000"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        using var subscriber = new SubscriberSocket();
        subscriber.Options.ReceiveHighWatermark = 100_000;
        subscriber.Connect($"tcp://127.0.0.1:{outPort}");
        subscriber.Subscribe("record");
        using var sender = new PushSocket();
        sender.Connect($"tcp://127.0.0.1:{inPort}");

        // Until the subscription has reached the job's publisher, what it publishes is dropped: probe until one arrives.
        await ZeroMQTest.WaitUntil(
            () =>
            {
                sender.SendFrame("record probe");
                return ZeroMQTest.Receive(subscriber, TimeSpan.FromMilliseconds(50)) is not null;
            },
            "the test's subscriber has joined the job's publisher");
        while (ZeroMQTest.Receive(subscriber, TimeSpan.FromMilliseconds(300)) is not null)
        {
            // Probes still on their way.
        }

        string[] records = [.. Enumerable.Range(0, 5000).Select(i => $"record {i}")];
        foreach (string record in records)
        {
            sender.SendFrame(record);
            sender.SendFrame("other " + record);   // not subscribed to: the publisher does not send it to this subscriber
        }

        // A probe still in a batch of the job when the records were sent (a loaded machine) may come first: not a record.
        static bool IsRecord(string[] message) => message is not ["record probe"];
        List<string[]> received = ZeroMQTest.ReceiveUntil(subscriber, r => r.Count(IsRecord) >= records.Length);
        Assert.Equal(records, received.Where(IsRecord).Select(message => Assert.Single(message)));
        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task IpcSourceAndSink_KnownSet_EveryRecordArrives()
    {
        // Each name's derived port was free a moment ago (see FreeIpcName).
        string input = ZeroMQTest.FreeIpcName(), output = ZeroMQTest.FreeIpcName(besides: input);
        string[] records = [.. Enumerable.Range(0, 1000).Select(i => $"ipc {i}")];
        using var receiver = new PullSocket();
        receiver.Bind($"ipc://{output}");

        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(ZeroMQPassThrough.Definition, ZeroMQTest.Options(
            $"zmq+ipc://{input}?socket=pull", $"zmq+ipc://{output}?socket=push"));
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        using (var sender = new PushSocket())
        {
            sender.Connect($"ipc://{input}");
            foreach (string record in records)
            {
                sender.SendFrame(record);
            }

            List<string[]> received = ZeroMQTest.ReceiveUntil(receiver, r => r.Count >= records.Length);
            Assert.Equal(records, received.Select(message => Assert.Single(message)));
        }

        await stop.CancelAsync();
        await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo_ListingTheZeroMQOptions()
    {
        var errors = new StringWriter();

        int exit = await PipelineProgram.RunAsync(
            ZeroMQPassThrough.Definition,
            ["--source", "zmq+tcp://127.0.0.1:1?socket=pull&hmw=10", "--sink", "zmq+tcp://127.0.0.1:2?socket=push"],
            errors,
            configure: null);

        Assert.Equal(2, exit);
        Assert.Contains("unknown option 'hmw'", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("hwm", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithACheckpoint_TheRunSaysTheSourceCannotBeReadAgain()
    {
        string checkpoint = Path.Combine(Path.GetTempPath(), "compiled-zmq-" + Guid.NewGuid().ToString("N")[..12]);
        var logged = new StringBuilder();
        try
        {
            var options = ZeroMQTest.Options($"zmq+tcp://127.0.0.1:{ZeroMQTest.FreePort()}?socket=pull", $"zmq+tcp://127.0.0.1:{ZeroMQTest.FreePort()}?socket=pub");
            options.Checkpoint = checkpoint;
            options.LoggerFactory = new CapturingLoggerFactory(logged);
            using var stop = new CancellationTokenSource();
            await using var run = new PipelineRun(ZeroMQPassThrough.Definition, options);
            Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            await ZeroMQTest.WaitUntil(() => CapturingLoggerFactory.Read(logged).Contains("cannot be read again", StringComparison.Ordinal), "the run logged its guarantees");
            await stop.CancelAsync();
            await running.WaitAsync(Wait, TestContext.Current.CancellationToken);
            Assert.Contains("ZeroMQ keeps no messages", CapturingLoggerFactory.Read(logged), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(checkpoint))
            {
                Directory.Delete(checkpoint, recursive: true);
            }
        }
    }
}
