using System.Buffers;
using Compiled.Hosting;

namespace Compiled.Tests.Pipelines;

/// <summary>Runs a pipeline job's batches over one in-memory stream, and counts what they allocate.</summary>
internal static class JobBatches
{
    /// <summary>
    /// One batch: <paramref name="buffer"/> as the whole of one stream of source 0, then the batch boundary. Whether the
    /// job consumed all of it (the caller checks it after measuring: an assertion in the measured loop would allocate).
    /// </summary>
    public static bool Run(PipelineJob job, in ReadOnlySequence<byte> buffer)
    {
        job.BeginStream(0, "memory");
        SequencePosition consumed = job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(1, 1000));
        return consumed.Equals(buffer.End);
    }

    /// <summary>
    /// Two batches to warm up (the JIT compiles the loop, tables reach their size), then four runs of
    /// <paramref name="batchesPerRun"/> batches over <paramref name="buffer"/>: the fewest bytes one run allocated on this
    /// thread. A rare runtime event can land in one run; an allocation per record or per batch shows in every one (see
    /// <see cref="AllocationMeter"/>). <paramref name="consumedAll"/> says whether every batch consumed its buffer.
    /// </summary>
    public static long LeastAllocated(PipelineJob job, ReadOnlySequence<byte> buffer, out bool consumedAll, int batchesPerRun = 25)
    {
        consumedAll = Run(job, buffer) & Run(job, buffer);
        long least = long.MaxValue;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < batchesPerRun; batch++)
            {
                consumedAll &= Run(job, buffer);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
