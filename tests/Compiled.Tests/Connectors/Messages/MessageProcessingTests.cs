using System.Buffers;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Testing;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// The generated job's <see cref="PipelineJob.ProcessMessages"/>: each message's payload is a record of the source's
/// fused loop, so a pipeline given its lines as messages emits what it emits when the same lines are framed from a
/// stream, typed sources parse a payload as they parse a line, and nothing is allocated per message.
/// </summary>
public class MessageProcessingTests
{
    private static readonly string[] Lines =
    [
        "the quick brown fox", "", "jumps over the lazy dog", "the dog sleeps", "fox and dog", "a b c d e f g", "the end",
    ];

    // One batch of a job: the sinks begin, feed runs, the job completes the batch, the sinks commit.
    private static void RunBatch(PipelineDefinition definition, SourceCounters counters, Sink[] sinks, Action<PipelineJob> feed)
    {
        using PipelineJob job = definition.CreateJob(new JobContext([FramingOptions.Default], [counters], sinks));
        foreach (Sink sink in sinks)
        {
            sink.BeginBatch(1000);
        }

        feed(job);
        job.CompleteBatch(new BatchInfo(1, 1000));
        foreach (Sink sink in sinks)
        {
            sink.CommitBatchAsync(TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }

    private static void Frame(PipelineJob job, IEnumerable<string> lines)
    {
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        job.BeginStream(0, "lines");
        job.Process(0, new ReadOnlySequence<byte>(text), isCompleted: true);
    }

    // Hands the lines to the job as messages, in batches of at most three, as a message source's lane does.
    private static void Send(PipelineJob job, SourceCounters counters, IEnumerable<string> lines)
    {
        using var batch = new MessageBatch("memq:test", FramingOptions.Default, counters, capacity: 3);
        long position = 0;
        foreach (string line in lines)
        {
            position++;
            batch.Add(Encoding.UTF8.GetBytes(line), "key"u8, position, BitConverter.GetBytes(position));
            if (batch.IsFull)
            {
                job.ProcessMessages(0, batch);
                batch.Clear();
            }
        }

        job.ProcessMessages(0, batch);
    }

    [Fact]
    public void WordCount_LinesAsMessages_EmitWhatTheFramedLinesEmit_AndCountTheSame()
    {
        var framedCounters = new SourceCounters();
        var framed = new KeyValueCapture<long>("Output");
        RunBatch(WordCountPipeline.Definition, framedCounters, [framed], job => Frame(job, Lines));

        var messageCounters = new SourceCounters();
        var messages = new KeyValueCapture<long>("Output");
        RunBatch(WordCountPipeline.Definition, messageCounters, [messages], job => Send(job, messageCounters, Lines));

        Assert.Equal(framed.Output.Records, messages.Output.Records);
        Assert.Contains(("the", 4L), messages.Output.Records);
        Assert.Equal(Lines.Length, messageCounters.Records);
        Assert.Equal(framedCounters.Records, messageCounters.Records);
    }

    [Fact]
    public void TypedSource_PayloadsParseAsLines_AndAMalformedPayloadIsCountedAndSkipped()
    {
        string[] orders = ["1,500", "2,12000", "not an order", "1,700", "3,10000", "2,1"];
        var framedCounters = new SourceCounters();
        var framedTotals = new RecordCapture<(int Customer, long Cents)>("Output");
        var framedBig = new RecordCapture<(int Customer, long Cents)>("BigOrders");
        RunBatch(Totals.Definition, framedCounters, [framedTotals, framedBig], job => Frame(job, orders));

        var messageCounters = new SourceCounters();
        var totals = new RecordCapture<(int Customer, long Cents)>("Output");
        var big = new RecordCapture<(int Customer, long Cents)>("BigOrders");
        RunBatch(Totals.Definition, messageCounters, [totals, big], job => Send(job, messageCounters, orders));

        Assert.Equal([(1, 1200L), (2, 12001L), (3, 10000L)], totals.Output.Records);
        Assert.Equal([(2, 12000L), (3, 10000L)], big.Output.Records);
        Assert.Equal(framedTotals.Output.Records, totals.Output.Records);
        Assert.Equal(framedBig.Output.Records, big.Output.Records);
        Assert.Equal(1, messageCounters.Malformed);
        Assert.Equal(framedCounters.Malformed, messageCounters.Malformed);
    }

    [Fact]
    public void WordCount_MillionMessagesWithKnownKeys_AllocatesNothingPerMessage()
    {
        // 1,000 messages of 8 words from a 500-word vocabulary, handed over in batches of 250.
        var random = new Random(7);
        byte[][] payloads = new byte[1000][];
        for (int i = 0; i < payloads.Length; i++)
        {
            payloads[i] = Encoding.ASCII.GetBytes(string.Join(' ', Enumerable.Range(0, 8).Select(_ => "w" + random.Next(500))));
        }

        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        using var batch = new MessageBatch("memq:test", FramingOptions.Default, counters, capacity: 250);

        // Warm up: the JIT compiles the loop, the batch's buffer and the key table reach their sizes.
        RunBatch(job, batch, payloads);
        RunBatch(job, batch, payloads);

        // Four runs of 250 batches (250,000 messages each), and the fewest bytes any of them allocated: a rare runtime
        // event can land in one run, an allocation per message or per batch shows in every one.
        long allocated = long.MaxValue;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 250; i++)
            {
                RunBatch(job, batch, payloads);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(1002L * 1000, counters.Records);
        Assert.Equal(1002L * 500, sink.Records);
        Assert.True(allocated == 0, $"250,000 messages in 250 batches allocated {allocated} bytes (the least of four such runs); filling a message batch and running it through the fused loop must allocate nothing per message or per batch.");
    }

    // One batch of the run: the messages added and handed over 250 at a time, then the batch boundary.
    private static void RunBatch(PipelineJob job, MessageBatch batch, byte[][] payloads)
    {
        Span<byte> position = stackalloc byte[8];
        for (int i = 0; i < payloads.Length; i++)
        {
            BitConverter.TryWriteBytes(position, (long)i);
            batch.Add(payloads[i], i, position);
            if (batch.IsFull)
            {
                job.ProcessMessages(0, batch);
                batch.Clear();
            }
        }

        job.ProcessMessages(0, batch);
        batch.Clear();
        job.CompleteBatch(new BatchInfo(1, 1000));
    }
}
