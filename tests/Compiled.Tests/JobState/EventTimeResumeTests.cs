using System.Text;
using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;
using Compiled.Testing;

namespace Compiled.Tests.JobState;

/// <summary>
/// The event-time state of a generated job survives a checkpoint: the watermark (of one source, and of two sources that
/// it follows the furthest behind of), the open tumbling and sliding windows and the open sessions go on after
/// WriteState → ReadState as if the job had run through, late records included; and the last batch of a stop that
/// keeps a checkpoint (a suspend) emits none of them, for the restart to continue.
/// </summary>
public class EventTimeResumeTests
{
    private const int Batches = 12;

    public static TheoryData<int, int> Cases => Resume.SeedsAndStops(seeds: 3, Batches);

    // Stops that leave batches for windows to close in, when the input does not end.
    public static TheoryData<int, int> EarlierStops => Resume.SeedsAndStops(seeds: 3, Batches - 2);

    [Theory]
    [MemberData(nameof(EarlierStops))]
    public void OneClock_ResumesAsIfUninterrupted(int seed, int stopAfter) => AssertOneClockResumes(seed, stopAfter, toEnd: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneClock_ResumesAsIfUninterrupted_ToTheEndOfTheInput(int seed, int stopAfter) => AssertOneClockResumes(seed, stopAfter, toEnd: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void TwoClocks_ResumeAsIfUninterrupted_ToTheEndOfTheInput(int seed, int stopAfter)
    {
        // The replayed source runs 3s behind the live one, so the watermark follows it, across the restart too.
        List<(long Time, int User)[]> live = RandomClicks(seed, lag: 0);
        List<(long Time, int User)[]> replayed = RandomClicks(seed + 100, lag: 3000);
        Resume.AssertResumesAsIfUninterrupted(
            () => new ResumeTwoClocks.TestDriver(),
            (test, i) =>
            {
                test.Live.Batch(live[i]);
                test.Replayed.Batch(replayed[i]);
            },
            test => Emitted.Of("PerThreeSeconds", test.PerThreeSeconds).Concat(Emitted.Of("TooLate", test.TooLate)),
            Batches,
            stopAfter,
            toEnd: true);
    }

    [Fact]
    public async Task Suspend_EmitsNoOpenWindow_AndTheRestartEmitsThemWithWhatCameBefore()
    {
        // Batch 1 opens windows [0, 4s) for users 1 and 2 and a session for each. A stop without a checkpoint emits
        // them at once; a suspend emits nothing, and the job restored from its checkpoint emits them, counting batch
        // 1's clicks, when its input ends.
        byte[] batch1 = Encoding.ASCII.GetBytes("500,1\n900,2\n1200,1\n");
        (PipelineJob stopped, Captures stoppedOut) = await RunBatch(ResumeEventTime.Definition, null, 1000, batch1, BatchEnd.Stop);
        Assert.Equal(["[0, 4000)/1/2", "[0, 4000)/2/1"], Windows(stoppedOut.Tumbling));
        stopped.Dispose();

        (PipelineJob suspended, Captures suspendedOut) = await RunBatch(ResumeEventTime.Definition, null, 1000, batch1, BatchEnd.Suspend);
        Assert.Empty(Windows(suspendedOut.Tumbling));
        Assert.Empty(Windows(suspendedOut.Sliding));
        Assert.Empty(Windows(suspendedOut.Sessions));
        using var writer = new CheckpointWriter();
        StateLayout layout = ResumeEventTime.Definition.StateLayout.For(TimeSpan.FromSeconds(1));
        JobCheckpoint.Write(writer, ResumeEventTime.Definition.Name, layout, new BatchInfo(1, 1000, BatchEnd.Suspend), [], suspended);
        byte[] checkpoint = writer.WrittenFile.ToArray();
        suspended.Dispose();

        using CheckpointReader reader = CheckpointReader.FromBytes(checkpoint, "the suspended job's checkpoint", ResumeEventTime.Definition.Name);
        (PipelineJob resumed, Captures resumedOut) = await RunBatch(ResumeEventTime.Definition, reader, 2000, Encoding.ASCII.GetBytes("1500,2\n"), BatchEnd.EndOfInput);
        Assert.Equal(["[0, 4000)/1/2", "[0, 4000)/2/2"], Windows(resumedOut.Tumbling));
        Assert.Equal(["[500, 4200)/1/2", "[900, 4500)/2/2"], Windows(resumedOut.Sessions));
        resumed.Dispose();
    }

    [Theory]
    [InlineData(BatchEnd.Stop, new[] { "2000: ([1000,2000),1,1) ([2000,3000),2,1)", "3000: ([5000,6000),1,1)" })]
    [InlineData(BatchEnd.Suspend, new[] { "2000: ([1000,2000),1,1) ([2000,3000),2,1)" })]
    public async Task EventTimeBelowAWindow_LastBatchBetweenTwoSlides_ReachesItsSinkOnlyIfItFlushesTheWindows(BatchEnd end, string[] expected)
    {
        // A window of batches sliding every 2 batches, then event time: its sink receives the window's slides, and the
        // last batch of a run that flushes the event-time windows still open (a stop); a suspended run's last batch
        // between two slides neither flushes them nor reaches the sink.
        var perSecond = new RecordCapture<Windowed<int, long>>("PerSecond");
        var context = new JobContext([FramingOptions.Default], [new SourceCounters()], [perSecond], TimeSpan.FromSeconds(1));
        using PipelineJob job = Compiled.Tests.Windows.EventTimeBelowWindow.Definition.CreateJob(context);
        var coordinator = new BatchCoordinator(job, context);
        string[] batches = ["1000,1\n2500,2\n", "5000,1\n", ""];
        for (int i = 0; i < batches.Length; i++)
        {
            coordinator.Begin((i + 1) * 1000L);
            job.Process(0, new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(batches[i])), isCompleted: false);
            await coordinator.CompleteAsync(i == batches.Length - 1 ? end : BatchEnd.Running, TestContext.Current.CancellationToken);
        }

        Assert.Equal(expected, perSecond.Output.Batches.Select(b => $"{b.Time}: {string.Join(" ", b.Records.Select(r => r.ToString()))}"));
    }

    private static void AssertOneClockResumes(int seed, int stopAfter, bool toEnd)
    {
        List<(long Time, int User)[]> input = RandomClicks(seed, lag: 0);
        Resume.AssertResumesAsIfUninterrupted(
            () => new ResumeEventTime.TestDriver(),
            (test, i) => test.Input.Batch(input[i]),
            test => Emitted.Of("TumblingOut", test.TumblingOut)
                .Concat(Emitted.Of("SlidingOut", test.SlidingOut))
                .Concat(Emitted.Of("SessionsOut", test.SessionsOut))
                .Concat(Emitted.Of("TooLate", test.TooLate)),
            Batches,
            stopAfter,
            toEnd,
            sameCheckpoint: false); // the sessions' places are numbered afresh (see Resume); the runs to the end show them equal
    }

    // Per batch (at i+1 seconds), 0 to 4 clicks of users 1 to 3 at times up to 1.5s before the batch's end, less the lag;
    // now and then one 4s older, which the watermark finds late. A quiet stretch lets sessions end.
    private static List<(long Time, int User)[]> RandomClicks(int seed, long lag)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Batches)
            .Select(i => i is 6 or 7
                ? []
                : Enumerable.Range(0, random.Next(5))
                    .Select(_ => (Math.Max(0, (i + 1) * 1000L - random.Next(1500) - lag - (random.Next(8) == 0 ? 4000 : 0)), random.Next(1, 4)))
                    .ToArray())
            .ToList();
    }

    private sealed record Captures(
        RecordCapture<Windowed<int, long>> Tumbling, RecordCapture<Windowed<int, long>> Sliding, RecordCapture<Windowed<int, long>> Sessions);

    // One batch through the batch protocol, as a run drives it, on a new job restored from 'checkpoint' if given.
    private static async Task<(PipelineJob Job, Captures Out)> RunBatch(PipelineDefinition definition, CheckpointReader? checkpoint, long time, byte[] lines, BatchEnd end)
    {
        var captures = new Captures(new("TumblingOut"), new("SlidingOut"), new("SessionsOut"));
        Sink[] sinks = [captures.Tumbling, captures.Sliding, captures.Sessions, new RecordCapture<(long Time, int User)>("TooLate")];
        var context = new JobContext([FramingOptions.Default], [new SourceCounters()], sinks, TimeSpan.FromSeconds(1));
        PipelineJob job = definition.CreateJob(context);
        if (checkpoint is not null)
        {
            job.ReadState(checkpoint);
        }

        var coordinator = new BatchCoordinator(job, context);
        coordinator.Begin(time);
        job.Process(0, new System.Buffers.ReadOnlySequence<byte>(lines), isCompleted: false);
        await coordinator.CompleteAsync(end, TestContext.Current.CancellationToken);
        return (job, captures);
    }

    private static string[] Windows(RecordCapture<Windowed<int, long>> sink) =>
        [.. sink.Output.Records.Select(w => $"[{w.Window.Start}, {w.Window.End})/{w.Key}/{w.Value}").Order(StringComparer.Ordinal)];
}
