using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;

namespace Compiled.Tests.Framing;

/// <summary>
/// The loops that hand a pipeline's records to its fused loop (the line framer's, a message batch's) are compiled fully
/// optimised at their first call, as Native AOT compiles them, and not as tier-0 code that the JIT's tiering replaces
/// later: called once per read with a loop of about a thousand records, they ran a job of a few seconds to its end in
/// tier-0 code. Each test runs the loop once over a consumer of its own (so the loop is compiled for it there and
/// then) and reads the tier it was compiled at from the runtime's own JIT events.
/// </summary>
public class FusedLoopTieringTests
{
    [Fact]
    public void LineFramerLoop_IsCompiledFullyOptimisedAtItsFirstCall()
    {
        using var jit = new JitEvents();
        using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        var consumer = new FramedLines();

        framer.Frame(new ReadOnlySequence<byte>("one\ntwo\nthree\n"u8.ToArray()), isCompleted: true, ref consumer);

        Assert.Equal(3, consumer.Records);
        // The loop itself, which Frame calls where the program's build did not precompile it (LineFramer.LoopsPrecompiled).
        Assert.False(LineFramer.LoopsPrecompiled);
        var loop = typeof(LineFramer).GetMethod("FrameOptimized", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        JitEvents.AssertOptimized(jit, loop.MakeGenericMethod(typeof(FramedLines)));
    }

    [Fact]
    public void MessageBatchLoop_IsCompiledFullyOptimisedAtItsFirstCall()
    {
        using var jit = new JitEvents();
        using var batch = new MessageBatch("memq:test", FramingOptions.Default, new SourceCounters(), capacity: 4);
        batch.Add("one"u8, 1, BitConverter.GetBytes(1L));
        batch.Add("two"u8, 2, BitConverter.GetBytes(2L));
        var consumer = new DeliveredMessages();

        batch.Deliver(ref consumer);

        Assert.Equal(2, consumer.Records);
        JitEvents.AssertOptimized(jit, typeof(MessageBatch).GetMethod(nameof(MessageBatch.Deliver))!.MakeGenericMethod(typeof(DeliveredMessages)));
    }

    // A consumer only the framer test uses, so that Frame<FramedLines> is compiled for the first time in that test.
    private struct FramedLines : IRecordConsumer
    {
        public int Records;

        public void OnRecord(ReadOnlySpan<byte> record) => Records++;
    }

    // The same for the message batch test.
    private struct DeliveredMessages : IRecordConsumer
    {
        public int Records;

        public void OnRecord(ReadOnlySpan<byte> record) => Records++;
    }

    /// <summary>
    /// Listens to the runtime's JIT events (MethodLoadVerbose) and gives the optimisation tier a method was compiled at,
    /// from the event's method flags (bits 7 to 9; the runtime's manifest names the values). A method is known by its
    /// MethodID, the runtime's handle of the method (of the generic method's instantiation, for one).
    /// </summary>
    private sealed class JitEvents : EventListener
    {
        /// <summary>The manifest's "Optimized": compiled with full optimisation, outside tiering.</summary>
        public const int Optimized = 2;

        private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
        private const EventKeywords JitKeyword = (EventKeywords)0x10;
        private const int MethodLoadVerboseId = 143;

        private readonly ConcurrentQueue<(ulong Id, string Name, int Tier)> _loaded = new();

        /// <summary>Asserts that <paramref name="method"/> was first compiled <see cref="Optimized"/>, naming the tier it was compiled at otherwise.</summary>
        public static void AssertOptimized(JitEvents jit, System.Reflection.MethodInfo method)
        {
            int tier = jit.TierOf(method);
            Assert.True(
                tier == Optimized,
                $"{method.DeclaringType!.Name}.{method.Name}<{method.GetGenericArguments()[0].Name}> was first compiled at optimisation tier {tier}, " +
                $"not {Optimized} (Optimized: fully optimised, outside tiering); 3 is QuickJitted, tier 0. " +
                "Mark it [MethodImpl(MethodImplOptions.AggressiveOptimization)].");
        }

        /// <summary>The tier <paramref name="method"/> was first compiled at since the listener started, waiting up to 10 s for its event.</summary>
        public int TierOf(System.Reflection.MethodInfo method)
        {
            ulong id = (ulong)method.MethodHandle.Value;
            var seen = new List<string>();
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                while (_loaded.TryDequeue(out var loaded))
                {
                    if (loaded.Id == id)
                    {
                        return loaded.Tier;
                    }

                    seen.Add(loaded.Name);
                }

                Thread.Sleep(20);
            }

            throw new InvalidOperationException(
                $"No JIT event for {method} within 10 s (saw {seen.Count} others: {string.Join(", ", seen.Take(20))}). " +
                "Run the test where the runtime's events reach an EventListener (System.Diagnostics.Tracing.EventSource.IsSupported).");
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == RuntimeSource)
            {
                EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventId != MethodLoadVerboseId || eventData.PayloadNames is null || eventData.Payload is null)
            {
                return;
            }

            ulong id = Convert.ToUInt64(Payload(eventData, "MethodID") ?? 0UL, System.Globalization.CultureInfo.InvariantCulture);
            string name = $"{Payload(eventData, "MethodNamespace")}.{Payload(eventData, "MethodName")}";
            int flags = Convert.ToInt32(Payload(eventData, "MethodFlags") ?? 0, System.Globalization.CultureInfo.InvariantCulture);
            _loaded.Enqueue((id, name, (flags >> 7) & 0x7));
        }

        private static object? Payload(EventWrittenEventArgs eventData, string name)
        {
            int index = eventData.PayloadNames!.IndexOf(name);
            return index < 0 ? null : eventData.Payload![index];
        }
    }
}
