using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Windows;

/// <summary>
/// Windowed stages allocate nothing per record once warm: the generated job driven directly, as a run drives it,
/// batch after batch with increasing indexes, so windows fill, slide and emit.
/// </summary>
public class WindowAllocationTests
{
    private const int Lines = 2_000;
    private const int WordsPerLine = 8;
    private const int Vocabulary = 500;
    private const int MeasuredBatches = 30; // × 16,000 words, in each of the measured runs

    [Fact]
    public void ReduceByKeyAndWindow_KnownKeys_AllocatesNothingPerRecord()
    {
        (ReadOnlySequence<byte> buffer, int distinctWords) = Text(seed: 11);
        var merged = new DiscardingSink();
        var incremental = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = KeyedWindowLoad.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [merged, incremental]));
        var batches = new BatchCounter();

        // Warm up: every ring slot of the window (4 batches) filled several times, every table at its size.
        Assert.True(batches.Run(job, buffer, 40));
        long least = AllocationMeter.LeastAllocated(() => batches.Run(job, buffer, MeasuredBatches));

        Assert.Equal(batches.Index * Lines, counters.Records);
        Assert.Equal(batches.Index / 2 * distinctWords, merged.Records); // slide 2: every key of the window every other batch
        Assert.Equal(merged.Records, incremental.Records);
        Assert.True(least == 0, $"{MeasuredBatches} batches of {Lines * WordsPerLine:N0} words through reduceByKeyAndWindow (merged and incremental) allocated {least} bytes; a window must allocate nothing per record or per batch once its keys are known.");
    }

    [Fact]
    public void CountByWindow_AllocatesNothingPerRecord()
    {
        (ReadOnlySequence<byte> buffer, _) = Text(seed: 12);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = CountWindowLoad.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        var batches = new BatchCounter();

        Assert.True(batches.Run(job, buffer, 10));
        long least = AllocationMeter.LeastAllocated(() => batches.Run(job, buffer, MeasuredBatches));

        Assert.Equal(batches.Index * Lines, counters.Records);
        Assert.Equal(batches.Index / 2, sink.Records); // one count every other batch
        Assert.True(least == 0, $"{MeasuredBatches} batches of {Lines:N0} lines through countByWindow allocated {least} bytes; it must allocate nothing per record or per batch.");
    }

    [Fact]
    public void Window_ReduceByWindow_CountByValueAndWindow_KnownRecords_AllocateNothingPerRecord()
    {
        (ReadOnlySequence<byte> buffer, _) = Text(seed: 13);
        var recent = new DiscardingSink();
        var longest = new DiscardingSink();
        var total = new DiscardingSink();
        var distinct = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = OtherWindowLoad.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [recent, longest, total, distinct]));
        var batches = new BatchCounter();

        Assert.True(batches.Run(job, buffer, 40));
        long least = AllocationMeter.LeastAllocated(() => batches.Run(job, buffer, MeasuredBatches));

        Assert.Equal(batches.Index * Lines, counters.Records);
        Assert.Equal((batches.Index * 3 - 3) * Lines, recent.Records); // window of 3 batches, every batch (the first two partly filled)
        Assert.Equal(batches.Index / 2, longest.Records);
        Assert.Equal(batches.Index / 2, total.Records);
        Assert.True(least == 0, $"{MeasuredBatches} batches of {Lines:N0} lines through window, reduceByWindow and countByValueAndWindow allocated {least} bytes; they must allocate nothing per record or per batch once warm.");
    }

    // Lines of words from a fixed vocabulary, in a buffer of several segments; and how many distinct words it has.
    private static (ReadOnlySequence<byte> Buffer, int DistinctWords) Text(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        var words = new HashSet<string>();
        for (int line = 0; line < Lines; line++)
        {
            for (int word = 0; word < WordsPerLine; word++)
            {
                string w = "w" + random.Next(Vocabulary);
                words.Add(w);
                text.Append(word == 0 ? "" : " ").Append(w);
            }

            text.Append('\n');
        }

        return (Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 16 * 1024), words.Count);
    }

    // Runs batches 1, 2, 3, ... of a job, each the whole buffer as one stream. Returns whether all was consumed
    // (checked by the caller outside the measured code: an assertion here would allocate).
    private sealed class BatchCounter
    {
        public long Index { get; private set; }

        public bool Run(PipelineJob job, ReadOnlySequence<byte> buffer, int batches)
        {
            bool consumedAll = true;
            for (int i = 0; i < batches; i++)
            {
                Index++;
                job.BeginStream(0, "memory");
                consumedAll &= job.Process(0, buffer, isCompleted: true).Equals(buffer.End);
                job.CompleteBatch(new BatchInfo(Index, Index * 1000));
            }

            return consumedAll;
        }
    }
}
