using Compiled.Connectors.Messages;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ.Tests;

/// <summary>
/// Handing received messages to the job allocates nothing once the source's buffers have grown: the part of the source
/// on the run's loop (<see cref="ZeroMQSource.TryRead"/>) is measured. NetMQ's own receiving, on its I/O thread and the
/// source's thread, allocates a buffer per message from its pool (the default pool is the GC): the test reports that
/// figure, which the benchmark records, and does not assert it.
/// </summary>
public sealed class ZeroMQSourceAllocationTests
{
    private const int PerRound = 2000;

    [Fact]
    public async Task TryRead_ZeroBytesPerMessageOnTheRunsLoop_OnceWarm()
    {
        int port = ZeroMQTest.FreePort();
        ZeroMQSource source = ZeroMQTest.CreateSource($"zmq+tcp://127.0.0.1:{port}?socket=pull&hwm=100000");
        await using (source)
        {
            using MessageBatch batch = source.CreateBatch();
            using var sender = new PushSocket();
            sender.Options.SendHighWatermark = 100_000;
            sender.Connect($"tcp://127.0.0.1:{port}");
            byte[][] payloads = [.. Enumerable.Range(0, PerRound).Select(i => System.Text.Encoding.UTF8.GetBytes($"message {i} of the round"))];
            for (int round = 0; round < 2; round++)
            {
                await RoundAsync(source, batch, sender, payloads);
            }

            // The least of three rounds: how many messages one TryRead takes depends on timing, so a round may still grow
            // the batch's buffers once on a loaded machine (a clean-clone run saw 16 KiB in one round); an allocation per
            // message shows in every round.
            long process = GC.GetTotalAllocatedBytes(precise: true);
            long onLoop = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                onLoop = Math.Min(onLoop, await RoundAsync(source, batch, sender, payloads));
            }

            long wholeProcess = GC.GetTotalAllocatedBytes(precise: true) - process;

            Assert.Equal(0, onLoop);
            TestContext.Current.SendDiagnosticMessage(
                $"ZeroMQ source: {onLoop} B on the run's loop, {wholeProcess / (3.0 * PerRound):0} B per message in the whole process (NetMQ's receive buffers and the test's sender)");
            Assert.Equal(5 * PerRound, source.Counters.Records);
        }
    }

    // Sends a round of messages and takes them all into batches; returns the bytes TryRead allocated on this thread.
    private static async Task<long> RoundAsync(ZeroMQSource source, MessageBatch batch, PushSocket sender, byte[][] payloads)
    {
        foreach (byte[] payload in payloads)
        {
            sender.SendFrame(payload);
        }

        long allocated = 0;
        int taken = 0;
        while (taken < payloads.Length)
        {
            Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken));
            batch.Clear();
            long before = GC.GetAllocatedBytesForCurrentThread();
            source.TryRead(batch);
            var consumer = new CountingConsumer();
            batch.Deliver(ref consumer);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            taken += batch.Count;
        }

        Assert.Equal(payloads.Length, taken);
        return allocated;
    }

    private struct CountingConsumer : Compiled.Framing.IRecordConsumer
    {
        public long Bytes;

        public void OnRecord(ReadOnlySpan<byte> record) => Bytes += record.Length;
    }
}
