using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Samples.LogMonitor;

namespace Compiled.EndToEnd.Tests;

/// <summary>The LogMonitor's generated job run in this process, batch after batch, with the bytes it allocates measured.</summary>
internal static class LogMonitorInProcess
{
    /// <summary>The outcome of <see cref="MeasureSteadyState"/>.</summary>
    /// <param name="LeastAllocated">The fewest bytes one pass over the buffers allocated, of three measured passes.</param>
    /// <param name="Batches">How many batches ran in all, the warm-up included.</param>
    /// <param name="ConsumedAll">Whether every batch consumed its whole buffer.</param>
    public readonly record struct SteadyState(long LeastAllocated, long Batches, bool ConsumedAll);

    /// <summary>
    /// Runs <paramref name="buffers"/>, one a batch, through a new job of the monitor twice over, so that the window is
    /// full and its tables grown, then three more times, measuring the bytes each pass allocates on this thread. The
    /// least of the three is kept: a rare runtime event can land in one, an allocation per line or batch shows in all.
    /// </summary>
    public static SteadyState MeasureSteadyState(ReadOnlySequence<byte>[] buffers, CountingSink sink)
    {
        using PipelineJob job = LogMonitor.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink]));
        long index = 0;
        bool consumedAll = true;
        for (int i = 0; i < 2 * buffers.Length; i++)
        {
            consumedAll &= RunBatch(job, buffers, ++index);
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < buffers.Length; i++)
            {
                consumedAll &= RunBatch(job, buffers, ++index);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return new SteadyState(least, index, consumedAll);
    }

    // Batch 'index' (from 1) over the buffer its turn gives, committed at index seconds; whether it consumed the whole buffer.
    private static bool RunBatch(PipelineJob job, ReadOnlySequence<byte>[] buffers, long index)
    {
        ReadOnlySequence<byte> buffer = buffers[(index - 1) % buffers.Length];
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(index, index * 1000));
        return consumed.Equals(buffer.End);
    }
}

/// <summary>Access-log lines for the LogMonitor's tests.</summary>
internal static class AccessLogLines
{
    /// <summary>An access-log line in the Common Log Format, with the response time in microseconds when there is one.</summary>
    public static string Line(string method, string target, int status, long? microseconds) =>
        $"203.0.113.7 - - [01/Jan/2026:00:00:00 +0000] \"{method} {target} HTTP/1.1\" {status} 512" +
        (microseconds is { } value ? " " + value.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>A distinct word of letters for each number (0: a, 25: z, 26: ba, ...): a path segment that is no id.</summary>
    public static string Word(int number)
    {
        var word = new StringBuilder();
        do
        {
            word.Insert(0, (char)('a' + (number % 26)));
            number /= 26;
        }
        while (number > 0);
        return word.ToString();
    }
}
