using System.Buffers;
using System.Text;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Tests.Keys;

/// <summary>
/// Runs a job's batches over lines held in one buffer the job frames and parses as it would a file's, the buffer reused
/// as a source reuses its own: what the key tests need to see that a table keeps its own copy of each text key.
/// </summary>
internal static class CapturedBatches
{
    /// <summary>One batch of <paramref name="lines"/>, its sinks begun before and committed after, as a run does.</summary>
    public static void Run(PipelineJob job, Sink[] sinks, long number, string lines)
    {
        foreach (Sink sink in sinks)
        {
            sink.BeginBatch(number * 1000);
        }

        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(lines));
        job.BeginStream(0, "memory");
        Assert.Equal(buffer.End, job.Process(0, buffer, isCompleted: true));
        job.CompleteBatch(new BatchInfo(number, number * 1000));
        foreach (Sink sink in sinks)
        {
            _ = sink.CommitBatchAsync(CancellationToken.None);
        }
    }
}
