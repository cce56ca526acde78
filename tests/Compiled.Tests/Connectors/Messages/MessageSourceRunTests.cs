using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// A compiled pipeline run (<see cref="PipelineRun"/>) over a message source registered through the connector
/// registry (<c>memq:</c>, this assembly's <see cref="MemoryMessageSourceFactory"/>): it counts the messages' words
/// as it counts lines, asks the source for more only once the job has taken what it gave, keeps the source's position
/// in its checkpoint, and a second run resumes after it.
/// </summary>
public class MessageSourceRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    private static PipelineRunOptions Options(TempDirectory temp, TimeProvider clock, string source, bool checkpoint)
    {
        var options = new PipelineRunOptions { TimeProvider = clock, Checkpoint = checkpoint ? temp.Combine("checkpoint") : null };
        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        return options;
    }

    private static string[] Outputs(TempDirectory temp) =>
        Directory.GetFiles(temp.Combine("out")).Order(StringComparer.Ordinal).ToArray();

    private static string[] Lines(string file) => File.ReadAllLines(file).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task WordCount_OverMessages_CountsEveryMessagesWords_InBatchesTheJobTakesWhole()
    {
        using var temp = new TempDirectory();
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 100; i++)
        {
            log.Append(i % 2 == 0 ? "apple pear" : "apple", key: "k" + i, timestamp: i);
        }

        var clock = new FakeTimeProvider(Start);
        await using var run = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock, log.Uri("batch=7"), checkpoint: false));
        await run.RunToEndAsync(clock);

        Assert.Equal(["(apple,100)", "(pear,50)"], Lines(Assert.Single(Outputs(temp))));
        var source = Assert.IsType<MemoryMessageSource>(run.Sources[0]);
        Assert.Equal(15, source.Reads);                // 100 messages, at most 7 a read
        Assert.Equal(0, source.AskedBeforeTaken);
        Assert.Equal(100, source.Counters.Records);
        Assert.Equal(PipelineRunState.Completed, run.State);
    }

    [Fact]
    public async Task SecondRun_ResumesAfterTheMessagesTheFirstCheckpointed_AndTheSourceIsToldOfEachCheckpoint()
    {
        using var temp = new TempDirectory();
        MemoryMessageLog log = MemoryMessageLog.Create();
        log.Append("apple pear");
        log.Append("apple");
        var clock = new FakeTimeProvider(Start);
        await using (var first = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock, log.Uri(), checkpoint: true)))
        {
            await first.RunToEndAsync(clock);
            var source = Assert.IsType<MemoryMessageSource>(first.Sources[0]);
            Assert.Equal([2L], source.Checkpointed);
        }

        string firstOutput = Assert.Single(Outputs(temp));
        Assert.Equal(["(apple,2)", "(pear,1)"], Lines(firstOutput));

        // The checkpoint holds the source's position: after the first run's two messages.
        var directory = new CheckpointDirectory(temp.Combine("checkpoint"), WordCountPipeline.Definition.Name);
        Assert.True(directory.TryLoadLatest(out CheckpointReader? reader));
        using (reader)
        {
            SavedSource saved = Assert.Single(JobCheckpoint.Read(reader!, WordCountPipeline.Definition.StateLayout, "checkpoint").Sources);
            Assert.Equal($"{log.Uri()} after message 2", saved.Position!.Description);
        }

        // Messages that came while the job was down are read by the second run, and only they.
        log.Append("fig apple");
        log.Append("fig");
        var again = new FakeTimeProvider(Start);
        var committed = new List<BatchProgress>();
        await using (var second = new PipelineRun(WordCountPipeline.Definition, Options(temp, again, log.Uri(), checkpoint: true)))
        {
            second.BatchCommitted += committed.Add;
            await second.RunToEndAsync(again);
            var source = Assert.IsType<MemoryMessageSource>(second.Sources[0]);
            Assert.Equal([4L], source.Checkpointed);
            Assert.Equal(2, source.Counters.Records);
        }

        string[] outputs = Outputs(temp);
        Assert.Equal(2, outputs.Length);
        Assert.Equal(["(apple,1)", "(fig,2)"], Lines(outputs[1]));
        Assert.Equal(2, Assert.Single(committed).Records);
    }

    [Fact]
    public async Task FollowingSource_BatchesWhatArrivesAsItArrives_AndAStopEndsTheWaitForMore()
    {
        using var temp = new TempDirectory();
        MemoryMessageLog log = MemoryMessageLog.Create();
        log.Append("one two");
        var clock = new FakeTimeProvider(Start);
        using var stop = new CancellationTokenSource();
        await using var run = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock, log.Uri("follow=true"), checkpoint: false));
        var committed = new List<BatchProgress>();
        run.BatchCommitted += committed.Add;
        Task running = run.RunAsync(stop.Token, TestContext.Current.CancellationToken);
        var source = Assert.IsType<MemoryMessageSource>(run.Sources[0]);

        // The first message is taken; the source then waits for more, and the batch's time comes.
        await WaitUntil(() => source.Counters.Records == 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => committed.Count == 1);

        // A message appended while the source waits wakes it, and lands in the next batch.
        log.Append("two three");
        await WaitUntil(() => source.Counters.Records == 2);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(PipelineRunState.Completed, run.State);
        Assert.Equal(2, committed.Count);
        Assert.Equal(BatchEnd.Stop, committed[1].End);
        string[] outputs = Outputs(temp);
        Assert.Equal(["(one,1)", "(two,1)"], Lines(outputs[0]));
        Assert.Equal(["(three,1)", "(two,1)"], Lines(outputs[1]));
        Assert.Equal(0, source.AskedBeforeTaken);
    }

    [Fact]
    public async Task StoppedRunOfAnEndlessSource_ResumesAtTheMessageAfterItsLastBatch_CountingEveryMessageOnce()
    {
        using var temp = new TempDirectory();
        MemoryMessageLog log = MemoryMessageLog.Create();
        for (int i = 0; i < 5; i++)
        {
            log.Append("w" + i);
        }

        // The first run takes the five messages two at a time, then waits for more, and is stopped: it suspends with a
        // checkpoint after its last batch.
        var clock = new FakeTimeProvider(Start);
        using (var stop = new CancellationTokenSource())
        await using (var first = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock, log.Uri("follow=true&batch=2"), checkpoint: true)))
        {
            Task running = first.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<MemoryMessageSource>(first.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 5);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(3, source.Reads);
            Assert.Equal([5L], source.Checkpointed);
            Assert.Equal(BatchEnd.Suspend, first.LastProgress!.End);
        }

        // While it was down, three more came; the second run reads those and only those.
        for (int i = 5; i < 8; i++)
        {
            log.Append("w" + i);
        }

        var again = new FakeTimeProvider(Start);
        using (var stop = new CancellationTokenSource())
        await using (var second = new PipelineRun(WordCountPipeline.Definition, Options(temp, again, log.Uri("follow=true&batch=2"), checkpoint: true)))
        {
            Task running = second.RunAsync(stop.Token, TestContext.Current.CancellationToken);
            var source = Assert.IsType<MemoryMessageSource>(second.Sources[0]);
            await WaitUntil(() => source.Counters.Records == 3);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal([8L], source.Checkpointed);
        }

        string[] words = Outputs(temp).SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"(w{i},1)"), words);
    }

    [Fact]
    public void UnknownLog_IsRefusedWhenTheRunBinds_NamingTheLog()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<ConnectorUriException>(() => new PipelineRun(WordCountPipeline.Definition, Options(temp, new FakeTimeProvider(Start), "memq:nowhere", checkpoint: false)));
        Assert.Contains("there is no message log named 'nowhere'", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "The run did not get there in 30 seconds.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
