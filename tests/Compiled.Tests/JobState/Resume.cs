using Compiled.Testing;

namespace Compiled.Tests.JobState;

/// <summary>One batch a sink received, as text: the sink, the batch's time, and its records in order.</summary>
internal sealed record Emitted(string Sink, long Time, string Records)
{
    public static IEnumerable<Emitted> Of<T>(string sink, TestOutput<T> output) =>
        output.Batches.Select(b => new Emitted(sink, b.Time, string.Join(" ", b.Records)));

    public static IEnumerable<Emitted> Of<TKey, TState>(string stage, TestState<TKey, TState> state)
        where TState : struct =>
        state.Snapshots.Select(b => new Emitted(stage + " (state)", b.Time, string.Join(" ", b.Records)));
}

/// <summary>
/// Checks that a job resumed from a checkpoint goes on exactly as one that ran through: the same batches run once
/// uninterrupted, and once as a driver that stops after batch k and is checkpointed (the job's WriteState) and a new
/// driver restored from it (ReadState) that runs the rest.
/// </summary>
internal static class Resume
{
    /// <summary>
    /// Runs <paramref name="batches"/> batches (<paramref name="feed"/> gives a driver the records of batch i, 0-based)
    /// through, and stopped after <paramref name="stopAfter"/>; asserts that the stopped driver emitted what the
    /// uninterrupted one did up to the stop, that the resumed one emitted what it did after it (same batch times, same
    /// records in the same order), and that both end with equal state: byte for byte equal checkpoints (unless
    /// <paramref name="sameCheckpoint"/> is false).
    /// </summary>
    /// <param name="toEnd">Whether the last batch ends the input (event-time windows and sessions still open are emitted).</param>
    /// <param name="sameCheckpoint">
    /// Whether the final checkpoints must be equal byte for byte. Not for session windows: a restore numbers the keys'
    /// places (the order in which sessions that close together are emitted) afresh, keeping their order but not their
    /// numbers, so the state is equal in what it emits but not in its bytes.
    /// </param>
    public static void AssertResumesAsIfUninterrupted<TDriver>(
        Func<TDriver> create, Action<TDriver, int> feed, Func<TDriver, IEnumerable<Emitted>> outputs, int batches, int stopAfter, bool toEnd = false, bool sameCheckpoint = true)
        where TDriver : PipelineTestDriver
    {
        using TDriver through = create();
        for (int i = 0; i < batches; i++)
        {
            feed(through, i);
        }

        Finish(through, toEnd);

        using TDriver before = create();
        for (int i = 0; i < stopAfter; i++)
        {
            feed(before, i);
        }

        before.Run();
        byte[] checkpoint = before.Checkpoint();

        using TDriver after = create();
        after.Restore(checkpoint);
        for (int i = stopAfter; i < batches; i++)
        {
            feed(after, i);
        }

        Finish(after, toEnd);

        long stop = stopAfter * (long)through.BatchInterval.TotalMilliseconds;
        List<Emitted> expected = outputs(through).ToList();
        if (!sameCheckpoint)
        {
            // Without the checkpoints to compare, what the resumed driver emits is all there is to compare.
            Assert.Contains(expected, e => e.Time > stop && e.Records.Length > 0);
        }

        Assert.Equal(expected.Where(e => e.Time <= stop), outputs(before));
        Assert.Equal(expected.Where(e => e.Time > stop), outputs(after));
        if (sameCheckpoint)
        {
            Assert.Equal(through.Checkpoint(), after.Checkpoint());
        }
    }

    private static void Finish(PipelineTestDriver driver, bool toEnd)
    {
        if (toEnd)
        {
            driver.RunToEnd();
        }
        else
        {
            driver.Run();
        }
    }

    /// <summary>Each seed with each batch to stop after, from the first to the last but one.</summary>
    public static TheoryData<int, int> SeedsAndStops(int seeds, int batches)
    {
        var data = new TheoryData<int, int>();
        for (int seed = 1; seed <= seeds; seed++)
        {
            for (int stop = 1; stop < batches; stop++)
            {
                data.Add(seed, stop);
            }
        }

        return data;
    }
}
