using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Hosting.Partitions;
using Compiled.Tests.Connectors;
using Compiled.Tests.Connectors.Messages;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>
/// A message source of one stream (<c>memq:</c>, as a user's connector is) read on several partitions: one reader has it
/// fill batches and deals them to the partitions (<see cref="MessageStreamInput"/>). The word count is the one-partition
/// run's; a parallelism left to its default stays on one partition; a source that fails while it is dealt fails the run
/// with its error; and dealing allocates nothing per message.
/// </summary>
public class MessageStreamPartitionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WordCount_MessageSourceOfOneStream_OnNPartitions_CountsAsOnePartition(int partitions)
    {
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 20_000; i++)
        {
            log.Append($"w{i % 7} v{i % 13} u{i % 101} {(i % 2 == 0 ? "even" : "odd")}");
        }

        // Reads of 50 messages: some 400 batches dealt.
        (string[] one, MemoryMessageSource oneSource, _) = await CountAsync(log.Uri("batch=50"), parallelism: null);
        (string[] many, MemoryMessageSource source, string logged) = await CountAsync(log.Uri("batch=50"), partitions);

        Assert.Equal(one, many);
        Assert.Contains("(even,10000)", many);
        Assert.Contains($"runs on {partitions} partitions: one reader takes the messages of {log.Uri("batch=50")} in batches and deals them", logged, StringComparison.Ordinal);
        Assert.Equal(20_000, source.Counters.Records);
        Assert.Equal(oneSource.Counters.Bytes, source.Counters.Bytes);
        Assert.Equal(400, source.Reads);

        // The run's one checkpoint-less position: told of every batch, in order, the last one last.
        Assert.Equal("memq:" + log.Name + "?batch=50 after message 20000", source.GetPosition().Description);
    }

    [Fact]
    public async Task MessageSourceOfOneStream_ParallelismLeftToItsDefault_StaysOnOnePartition_AndSaysWhyAtDebug()
    {
        MemoryMessageLog log = MemoryMessageLog.Create();
        log.Append("apple pear");
        log.Append("apple");

        (string[] counts, MemoryMessageSource source, string logged) = await CountAsync(log.Uri(), parallelism: null, logDebug: true);

        Assert.Equal(["(apple,2)", "(pear,1)"], counts);
        Assert.Equal(0, source.AskedBeforeTaken);
        Assert.Contains($"runs on one partition rather than one per core: source {log.Uri()} delivers messages, which are read on partitions only when the parallelism is given (--parallelism N", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("deals them", logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageSourceOfOneStream_FailingWhileDealt_FailsTheRunWithItsError()
    {
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 5_000; i++)
        {
            log.Append($"w{i % 7}");
        }

        using var temp = new TempDirectory();
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock, Parallelism = 2 };
        options.SourceUris["Input"] = log.Uri("batch=10&failAfter=30");
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);

        using CancellationTokenSource deadline = Eventually.Deadline();
        PipelineFailedException error = await Assert.ThrowsAsync<PipelineFailedException>(() => run.RunToEndAsync(clock).WaitAsync(deadline.Token));
        IOException cause = Assert.IsType<IOException>(error.InnerException);
        Assert.Contains("lost its server after 30 reads (failAfter)", cause.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineRunState.Failed, run.State);
    }

    [Fact]
    public void Dealing_AllocatesNothingPerMessage_OnTheReaderOrThePartition()
    {
        // 200,000 messages of 4 words and the first 2,000, read 100 at a time, from a 500-word vocabulary.
        MemoryMessageLog log = MemoryMessageLog.Create();
        var random = new Random(17);
        for (int i = 0; i < 200_000; i++)
        {
            log.Append($"w{random.Next(500)} w{random.Next(500)} w{random.Next(500)} w{random.Next(500)}");
        }

        var context = new JobContext([FramingOptions.Default], [new SourceCounters()], [new DiscardingSink()]);
        using PipelineJob job = WordCountPipeline.Definition.CreateJob(context);

        // The first read knows every key; then the least of three reads of each size.
        long records = ReadOnThisThread(job, context, log, 200_000).Records;
        (long Partition, long Reader) small = (long.MaxValue, long.MaxValue);
        (long Partition, long Reader) large = (long.MaxValue, long.MaxValue);
        for (int run = 0; run < 3; run++)
        {
            (long partition, long reader, long read) = ReadOnThisThread(job, context, log, 2_000);
            small = (Math.Min(small.Partition, partition), Math.Min(small.Reader, reader));
            records += read;
            (partition, reader, read) = ReadOnThisThread(job, context, log, 200_000);
            large = (Math.Min(large.Partition, partition), Math.Min(large.Reader, reader));
            records += read;
        }

        Assert.Equal(200_000L + (3 * 2_000) + (3 * 200_000), records);
        Assert.True(large.Partition - small.Partition <= 0,
            $"running 200,000 messages allocated {large.Partition} bytes on the partition's thread, and 2,000 {small.Partition}: taking, running and handing back a batch must allocate nothing.");

        // The reader's batches grow to the largest read once per run, whatever the run's length: a few KB at most, where
        // one allocation per message would be megabytes and one per batch some 50 KB.
        Assert.True(large.Reader - small.Reader <= 8 * 1024,
            $"reading 200,000 messages allocated {large.Reader} bytes on the reader's thread, and 2,000 {small.Reader}: filling and dealing a batch must allocate nothing.");
    }

    // Reads the first `count` messages of the log through a message input of one partition, that partition's side on
    // this thread; returns the bytes this thread allocated while it did, those the reader's thread did, and the messages run.
    private static (long Partition, long Reader, long Records) ReadOnThisThread(PipelineJob job, JobContext context, MemoryMessageLog log, int count)
    {
        MemoryMessageLog part = MemoryMessageLog.Create();
        for (int i = 0; i < count; i++)
        {
            part.Append(log[i].Payload, log[i].Key, log[i].Timestamp);
        }

        var source = (MessageSource)ConnectorRegistry.CreateSource(part.Uri("batch=100"), new SourceContext());
        using var input = new MessageStreamInput(0, source, partitions: 1);

        // The partitions' threads are never started: this thread reads partition 0's side (one partition: all of it).
        var threads = new PartitionThreads(job, context, [source], [input], 1, "allocation test", long.MaxValue, static () => { });
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(input.Read(0, threads));
        long partition = GC.GetAllocatedBytesForCurrentThread() - before;
        return (partition, input.ReaderAllocatedBytes, source.Counters.Records);
    }

    // Runs the word count over the source to its end, as one batch, and returns its sorted output, the source, and the log.

    private static Task<(string[] Counts, MemoryMessageSource Source, string Log)> CountAsync(string uri, int? parallelism, bool logDebug = false) =>
        MessageWordCount.RunAsync<MemoryMessageSource>(uri, parallelism, logDebug);
}
