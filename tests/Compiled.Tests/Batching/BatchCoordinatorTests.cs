using System.Buffers;
using Compiled.Batching;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Batching;

/// <summary>The batch protocol on its own: a hand-written job and sinks that record what they are asked to do.</summary>
public class BatchCoordinatorTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Coordinator_BeginsTheReceivingSinksThenTheJob_CompletesTheJobThenCommitsThoseSinks()
    {
        var fixture = new Fixture(Second, windowSlideMilliseconds: 3000);

        fixture.Coordinator.Begin(6000);
        await fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken);
        fixture.Coordinator.Begin(7000);
        await fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken);

        // Batch 6 is a multiple of the window's slide of 3 batches, so both sinks receive it; batch 7 only the first.
        Assert.Equal(
            [
                "Every begin 6000", "Windowed begin 6000", "job begin 6 Running", "job complete 6 Running", "Every commit", "Windowed commit",
                "Every begin 7000", "job begin 7 Running", "job complete 7 Running", "Every commit",
            ],
            fixture.Log);
        Assert.Equal(2, fixture.Coordinator.BatchesCompleted);
    }

    [Fact]
    public void Coordinator_BatchNumberIsItsTimeOverTheInterval()
    {
        var fixture = new Fixture(TimeSpan.FromMilliseconds(250));
        BatchInfo batch = fixture.Coordinator.Begin(1_772_366_401_000);
        Assert.Equal(new BatchInfo(7_089_465_604, 1_772_366_401_000, BatchEnd.Running), batch);
        Assert.Equal(batch, fixture.Coordinator.Current);
        Assert.True(fixture.Coordinator.InBatch);
    }

    [Theory]
    [InlineData(7500)]
    [InlineData(0)]
    [InlineData(-1000)]
    public void Coordinator_BatchTimeNotAPositiveMultipleOfTheInterval_IsRejected(long time)
    {
        var fixture = new Fixture(Second);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Coordinator.Begin(time));
        Assert.StartsWith("A batch time must be a positive multiple of the batch interval (1000 ms)", error.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Log);
    }

    [Fact]
    public async Task Coordinator_OneBatchAtATime()
    {
        var fixture = new Fixture(Second);
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken).AsTask());
        fixture.Coordinator.Begin(1000);
        var error = Assert.Throws<InvalidOperationException>(() => fixture.Coordinator.Begin(2000));
        Assert.Equal("Batch 1000 ms is still in flight; complete or abort it before beginning batch 2000 ms.", error.Message);
    }

    [Fact]
    public async Task Coordinator_Progress_CountsWhatCameInDuringTheBatch_AndTimesTheBoundary()
    {
        var fixture = new Fixture(Second, sources: 2);
        SourceCounters first = fixture.Context.Counters[0];
        SourceCounters second = fixture.Context.Counters[1];
        first.Records = 100; // before the batch: not its records
        first.Bytes = 1000;
        first.UnreadableSkipped = 7;
        fixture.Context.Metrics.LateRecords = 4;
        var raised = new List<BatchProgress>();
        fixture.Coordinator.BatchCommitted += raised.Add;

        fixture.Coordinator.Begin(42_000);
        first.Records += 5;
        first.Bytes += 40;
        first.Malformed += 2;
        second.Records += 3;
        second.Bytes += 9;
        second.OversizeSkipped += 1;
        second.UnreadableSkipped += 2;
        fixture.Context.Metrics.LateRecords += 6;
        fixture.Job.WhileCompleting = () => fixture.Clock.Advance(TimeSpan.FromMilliseconds(30));
        fixture.Sinks[0].WhileCommitting = () => fixture.Clock.Advance(TimeSpan.FromMilliseconds(12));
        BatchProgress progress = await fixture.Coordinator.CompleteAsync(BatchEnd.EndOfInput, TestContext.Current.CancellationToken);

        Assert.Equal(42, progress.Number);
        Assert.Equal(42_000, progress.Time);
        Assert.Equal(BatchEnd.EndOfInput, progress.End);
        Assert.Equal([5L, 3], progress.RecordsIn);
        Assert.Equal(8, progress.Records);
        Assert.Equal(49, progress.Bytes);
        Assert.Equal(2, progress.Malformed);
        Assert.Equal(1, progress.OversizeSkipped);
        Assert.Equal(2, progress.UnreadableSkipped);
        Assert.Equal(6, progress.LateRecords);
        Assert.Equal(TimeSpan.FromMilliseconds(30), progress.ProcessingDuration);
        Assert.Equal(TimeSpan.FromMilliseconds(12), progress.CommitDuration);
        Assert.Same(progress, fixture.Coordinator.LastProgress);
        Assert.Same(progress, Assert.Single(raised));
        Assert.Equal("job complete 42 EndOfInput", fixture.Log[^3]);
        Assert.False(fixture.Coordinator.InBatch);
    }

    [Fact]
    public async Task Coordinator_SinkCommitFails_TheBatchStaysInFlight_AndAbortDropsItFromEverySink()
    {
        var fixture = new Fixture(Second);
        fixture.Sinks[0].WhileCommitting = () => throw new IOException("disk full");
        fixture.Coordinator.Begin(1000);

        await Assert.ThrowsAsync<IOException>(() => fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken).AsTask());
        Assert.True(fixture.Coordinator.InBatch);
        fixture.Coordinator.Abort();

        Assert.False(fixture.Coordinator.InBatch);
        Assert.Equal(["Every abort", "Windowed abort"], fixture.Log[^2..]);
        Assert.Equal(0, fixture.Coordinator.BatchesCompleted);
        Assert.Null(fixture.Coordinator.LastProgress);
    }

    [Fact]
    public async Task Coordinator_Abort_AfterALaterSinksCommitFails_LeavesTheSinksThatCommittedOrDidNotReceiveTheBatch()
    {
        // Batch 1 is not a multiple of the 3-batch slide, so "Windowed" does not receive it; "Every" commits it.
        var fixture = new Fixture(Second, windowSlideMilliseconds: 3000);
        fixture.Coordinator.Begin(1000);
        fixture.Job.WhileCompleting = () => throw new InvalidOperationException("operator failed");
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken).AsTask());
        fixture.Coordinator.Abort();
        Assert.Equal("Every abort", fixture.Log[^1]);
        Assert.DoesNotContain("Windowed abort", fixture.Log);

        // Batch 3 reaches both sinks: "Every" commits it before "Windowed" fails, so only "Windowed" discards it.
        fixture.Job.WhileCompleting = null;
        fixture.Sinks[1].WhileCommitting = () => throw new IOException("disk full");
        fixture.Coordinator.Begin(3000);
        await Assert.ThrowsAsync<IOException>(() => fixture.Coordinator.CompleteAsync(BatchEnd.Running, TestContext.Current.CancellationToken).AsTask());
        fixture.Coordinator.Abort();

        Assert.Equal(["Every commit", "Windowed abort"], fixture.Log[^2..]);
        fixture.Coordinator.Abort();
        Assert.Equal("Windowed abort", fixture.Log[^1]);
    }

    [Fact]
    public void Coordinator_Abort_ASinkThatCannotDiscard_IsReported_AndTheOthersStillAbort()
    {
        var fixture = new Fixture(Second);
        fixture.Sinks[0].WhileAborting = () => throw new IOException("cannot delete the temporary file");
        fixture.Coordinator.Begin(1000);
        var failed = new List<string>();

        fixture.Coordinator.Abort((sink, error) => failed.Add($"{sink.Uri.Target}: {error.Message}"));

        Assert.Equal(["Every: cannot delete the temporary file"], failed);
        Assert.Equal("Windowed abort", fixture.Log[^1]);
        fixture.Coordinator.Begin(2000);
        Assert.Throws<IOException>(() => fixture.Coordinator.Abort());
    }

    [Theory]
    [InlineData(1000, new long[] { 3, 6, 9, 12 })]
    [InlineData(500, new long[] { 6, 12 })]
    public void Job_ByDefault_AWindowedSinkReceivesTheBatchesWhoseNumberIsAMultipleOfTheSlide(long intervalMs, long[] receiving)
    {
        // A slide of 3 s is 3 batches of 1 s, or 6 of 500 ms; the other sink receives every batch.
        var fixture = new Fixture(TimeSpan.FromMilliseconds(intervalMs), windowSlideMilliseconds: 3000);
        var windowed = new List<long>();
        for (long number = 1; number <= 12; number++)
        {
            var batch = new BatchInfo(number, number * intervalMs);
            Assert.True(fixture.Job.ReceivesBatch(0, batch));
            if (fixture.Job.ReceivesBatch(1, batch))
            {
                windowed.Add(number);
            }
        }

        Assert.Equal(receiving, windowed);
    }

    [Fact]
    public void Job_ByDefault_SlidesAreAlignedToTheEpoch_NotToTheRunsStart()
    {
        // A run that starts at 2026-03-01T12:00:00.700Z with 1 s batches: its first batch is 1772366401, and a
        // 3-batch slide first emits at 1772366403, the first multiple of 3, two batches into the run.
        var fixture = new Fixture(Second, windowSlideMilliseconds: 3000);
        long first = 1_772_366_401;
        bool[] receives = [.. Enumerable.Range(0, 6).Select(i => fixture.Job.ReceivesBatch(1, new BatchInfo(first + i, (first + i) * 1000)))];
        Assert.Equal([false, false, true, false, false, true], receives);
    }

    [Fact]
    public void Job_NotCreatedByItsDefinition_SaysHowToCreateIt()
    {
        using var job = new RecordingJob([]);
        var error = Assert.Throws<InvalidOperationException>(() => job.ReceivesBatch(0, new BatchInfo(1, 1000)));
        Assert.Contains("create it with the pipeline's Definition.CreateJob(context)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BatchEnd.Running, false)]
    [InlineData(BatchEnd.EndOfInput, true)]
    [InlineData(BatchEnd.Stop, true)]
    public void BatchInfo_IsLast_IsWhetherTheBatchEndedTheRun(BatchEnd end, bool isLast)
    {
        Assert.Equal(isLast, new BatchInfo(1, 1000, end).IsLast);
        Assert.False(new BatchInfo(1, 1000).IsLast);
    }

    // A coordinator over a recording job with two sinks: "Every", which receives every batch, and "Windowed", the
    // sink of a windowed stream (every batch too when no slide is given).
    private sealed class Fixture
    {
        public Fixture(TimeSpan interval, long? windowSlideMilliseconds = null, int sources = 1)
        {
            Sinks = [new RecordingSink("Every", Log), new RecordingSink("Windowed", Log)];
            Job = new RecordingJob(Log);
            var definition = new PipelineDefinition(
                "Recorded",
                interval,
                "In (lines) → [Sink] Every, Windowed",
                [.. Enumerable.Range(0, sources).Select(i => new Lines("In" + i, null))],
                [new SinkDeclaration("Every", null, "(x)"), new SinkDeclaration("Windowed", null, "(x)", windowSlideMilliseconds)],
                _ => Job);
            Context = new JobContext(
                [.. Enumerable.Range(0, sources).Select(_ => FramingOptions.Default)],
                [.. Enumerable.Range(0, sources).Select(_ => new SourceCounters())],
                Sinks,
                interval);
            Assert.Same(Job, definition.CreateJob(Context));
            Coordinator = new BatchCoordinator(Job, Context, Clock);
        }

        public List<string> Log { get; } = [];

        public FakeTimeProvider Clock { get; } = new();

        public RecordingSink[] Sinks { get; }

        public RecordingJob Job { get; }

        public JobContext Context { get; }

        public BatchCoordinator Coordinator { get; }
    }

    private sealed class RecordingJob(List<string> log) : PipelineJob
    {
        public Action? WhileCompleting { get; set; }

        public override void BeginBatch(in BatchInfo batch) => log.Add($"job begin {batch.Index} {batch.End}");

        public override void BeginStream(int source, string streamName) => log.Add($"job stream {source}");

        public override SequencePosition Process(int source, in ReadOnlySequence<byte> buffer, bool isCompleted) => buffer.End;

        public override void ProcessMessages(int source, Compiled.Connectors.Messages.MessageBatch batch) => log.Add($"job messages {source} {batch.Count}");

        public override void CompleteBatch(in BatchInfo batch)
        {
            log.Add($"job complete {batch.Index} {batch.End}");
            WhileCompleting?.Invoke();
        }
    }

    private sealed class RecordingSink(string name, List<string> log) : Sink(ConnectorUri.Parse("test:" + name, "sink"), new SinkContext())
    {
        public Action? WhileCommitting { get; set; }

        public Action? WhileAborting { get; set; }

        public override void BeginBatch(long batchTimeMs) => log.Add($"{name} begin {batchTimeMs}");

        public override void Write(ReadOnlySpan<byte> record) => log.Add($"{name} write");

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
        {
            WhileCommitting?.Invoke();
            log.Add($"{name} commit");
            return default;
        }

        public override void AbortBatch()
        {
            WhileAborting?.Invoke();
            log.Add($"{name} abort");
        }
    }
}
