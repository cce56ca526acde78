using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ.Tests;

/// <summary>The PUSH sink's backpressure: it waits for a receiver (bounded memory), or fails after <c>sendTimeout</c>.</summary>
public sealed class ZeroMQSinkTests
{
    [Fact]
    public async Task PushSink_BoundWithNoReceiver_WithSendTimeout_FailsTheBatchSayingWhatToDo()
    {
        await using ZeroMQSink sink = ZeroMQTest.CreateSink($"zmq+tcp://127.0.0.1:{ZeroMQTest.FreePort()}?socket=push&bind=true&sendTimeout=300ms");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);

        var error = Assert.Throws<InvalidOperationException>(() => sink.Write("lonely"u8));

        Assert.Contains("could not hand a record to any receiver for 300 ms (sendTimeout)", error.Message, StringComparison.Ordinal);
        Assert.Contains("start the receiver, or give a longer sendTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.Sent);
    }

    [Fact]
    public async Task PushSink_ConnectingToNoReceiver_QueuesUpToItsHighWaterMark_ThenWaits()
    {
        // ZeroMQ connects in the background and queues for the peer meanwhile, up to the high-water mark.
        await using ZeroMQSink sink = ZeroMQTest.CreateSink($"zmq+tcp://127.0.0.1:{ZeroMQTest.FreePort()}?socket=push&hwm=5&sendTimeout=200ms");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                sink.Write("queued"u8);
            }
        });

        Assert.Contains("(sendTimeout)", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, sink.Sent);
    }

    [Fact]
    public async Task PushSink_ReceiverNotReading_WriterWaitsAtTheHighWaterMark_ThenEveryRecordArrivesInOrder()
    {
        const int Records = 2000;
        int port = ZeroMQTest.FreePort();
        using var receiver = new PullSocket();
        receiver.Options.ReceiveHighWatermark = 10;
        receiver.Bind($"tcp://127.0.0.1:{port}");
        await using ZeroMQSink sink = ZeroMQTest.CreateSink($"zmq+tcp://127.0.0.1:{port}?socket=push&hwm=10");
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        sink.BeginBatch(1000);

        // 2000 records of 10 KB (20 MB) cannot all sit in the sockets' queues and the kernel's buffers: the writer waits.
        string padding = new('x', 10_000);
        Task writing = Task.Run(
            () =>
            {
                for (int i = 0; i < Records; i++)
                {
                    sink.Write(System.Text.Encoding.UTF8.GetBytes($"{i} {padding}"));
                }
            },
            TestContext.Current.CancellationToken);
        long sent;
        do
        {
            sent = sink.Sent;
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
        while (sink.Sent != sent);

        Assert.False(writing.IsCompleted, $"The writer should wait for the receiver, yet it sent all {Records} records");
        Assert.True(sent < Records);

        // Up to the linger: a loaded machine receives 100,000 messages slowly (about 3,000 a second under ./test.sh).
        List<string[]> received = ZeroMQTest.ReceiveUntil(receiver, r => r.Count >= Records, seconds: 60);
        await writing.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(0, Records).Select(i => $"{i} {padding}"), received.Select(message => Assert.Single(message)));
        Assert.Equal(Records, sink.Sent);
    }
}
