using Compiled.Keys;
using Compiled.Tests.Checkpoints;
using Compiled.Windows;

namespace Compiled.Tests.EventTimeTests;

/// <summary>
/// <see cref="EventWindowPanes{TKey, TValue, TKeys, TReducer}"/> as the job's set on N partitions: each batch's records
/// split into N ranges in order, the first into the job's set and each other into a partition's set merged into it
/// (<see cref="EventWindowPanes{TKey, TValue, TKeys, TReducer}.MergeInto"/>), so the job's set folds the windows a
/// boundary closes on N threads; the windows, in order, with their keys in order and their values, must be those of one
/// set fed every record, for streams in order of event time (panes folded one after the other) and out of order (panes
/// merged in order of arrival), with one boundary closing hundreds of windows and with many boundaries closing a few, and
/// a fold that throws must fail the close at its window, after the windows before it, with its own exception.
/// </summary>
public class EventWindowPanesFoldTests
{
    public static TheoryData<int, bool, int, long, long> Runs()
    {
        var data = new TheoryData<int, bool, int, long, long>();
        foreach (int partitions in new[] { 2, 3 })
        {
            foreach (bool inOrder in new[] { true, false })
            {
                foreach ((long size, long slide) in new (long, long)[] { (10_000, 2_000), (9_000, 6_000), (6_000, 6_000) })
                {
                    foreach (int batches in new[] { 1, 37 })
                    {
                        data.Add(partitions, inOrder, batches, size, slide);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void OnNPartitions_TheWindowsFoldedSideBySide_AreOneSetsInOrder(int partitions, bool inOrder, int batches, long size, long slide)
    {
        List<(long Time, int Key, long Value)> events = Generate(seed: partitions * 100 + batches + (inOrder ? 1 : 0), inOrder, count: 40_000);
        List<string> one = Run<Sum>(events, partitions: 1, batches, size, slide, out int oneThreads);
        List<string> many = Run<Sum>(events, partitions, batches, size, slide, out int threads);
        Assert.Equal(1, oneThreads);
        Assert.Equal(partitions, threads);
        Assert.True(one.Count(line => !line.StartsWith("batch", StringComparison.Ordinal)) > 100, $"only {one.Count} windows closed; the test needs many.");
        Assert.Equal(one, many);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void ThroughACheckpointMidRun_OnNPartitions_AreOneSetsInOrder(int partitions, bool inOrder)
    {
        // The run stops after batch 18 of 37 with panes open; a new job's set restored from the checkpoint, with new
        // partitions' sets merged into it, folds the windows after on N threads again.
        List<(long Time, int Key, long Value)> events = Generate(seed: 40 + partitions, inOrder, count: 40_000);
        List<string> one = Run<Sum>(events, partitions: 1, batches: 37, 10_000, 2_000, out _);
        List<string> many = Run<Sum>(events, partitions, batches: 37, 10_000, 2_000, out int threads, restoreAfter: 18);
        Assert.Equal(partitions, threads);
        Assert.Equal(one, many);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AFoldThatThrows_FailsAtItsWindow_AfterTheWindowsBeforeIt(int partitions)
    {
        // Key 1000, which no other record has, takes long.MaxValue in two panes 4 s apart: every window that holds both
        // overflows when folded.
        List<(long Time, int Key, long Value)> events = Generate(seed: 5, inOrder: true, count: 20_000);
        int at = events.FindIndex(e => e.Time >= events[0].Time + 300_000);
        events.Insert(at, (events[at].Time, 1000, long.MaxValue));
        int later = events.FindIndex(e => e.Time >= events[at].Time + 4_000);
        events.Insert(later, (events[later].Time, 1000, long.MaxValue));

        var closedOne = new List<string>();
        var closedMany = new List<string>();
        Assert.Throws<OverflowException>(() => Run<CheckedSum>(events, 1, 1, 10_000, 2_000, out _, closedOne));
        OverflowException thrown = Assert.Throws<OverflowException>(() => Run<CheckedSum>(events, partitions, 1, 10_000, 2_000, out _, closedMany));
        Assert.Contains(nameof(CheckedSum), thrown.StackTrace, StringComparison.Ordinal);
        Assert.True(closedOne.Count > 50, $"only {closedOne.Count} windows closed before the overflow; the test needs many.");
        Assert.Equal(closedOne, closedMany);
    }

    // Runs the events in `batches` batches through a job's set and partitions - 1 partitions' sets: each batch cut into
    // that many ranges in order, the partitions' merged into the job's in order, then the windows the watermark (the
    // batch's latest time less the stream's disorder, or past every window after the last batch) closes; after batch
    // `restoreAfter`, if given, the job's set is restored into a new one from a checkpoint, with new partitions' sets.
    private static List<string> Run<TReducer>(List<(long Time, int Key, long Value)> events, int partitions, int batches, long size, long slide, out int threads, List<string>? closed = null, int restoreAfter = -1)
        where TReducer : struct, IReducer<long>
    {
        long paneSize = GreatestCommonDivisor(size, slide);
        closed ??= [];
        var job = new EventWindowPanes<int, long, StructKeys<int, long>, TReducer>();
        var others = new EventWindowPanes<int, long, StructKeys<int, long>, TReducer>[partitions - 1];
        for (int p = 0; p < others.Length; p++)
        {
            others[p] = new EventWindowPanes<int, long, StructKeys<int, long>, TReducer>();
        }

        long latest = long.MinValue;
        for (int b = 0; b < batches; b++)
        {
            int from = (int)((long)events.Count * b / batches);
            int to = (int)((long)events.Count * (b + 1) / batches);
            for (int p = 0; p < partitions; p++)
            {
                EventWindowPanes<int, long, StructKeys<int, long>, TReducer> set = p == 0 ? job : others[p - 1];
                for (int i = from + ((to - from) * p / partitions); i < from + ((to - from) * (p + 1) / partitions); i++)
                {
                    (long time, int key, long value) = events[i];
                    ref long slot = ref set.ValueOf(time, paneSize, key, out bool exists);
                    slot = exists ? default(TReducer).Reduce(slot, value) : value;
                    latest = Math.Max(latest, time);
                }
            }

            foreach (EventWindowPanes<int, long, StructKeys<int, long>, TReducer> other in others)
            {
                other.MergeInto(job, paneSize);
            }

            long watermark = b == batches - 1 ? long.MaxValue : latest - Disorder;
            closed.Add($"batch {b}");
            while (job.TryClose(watermark, size, slide, out EventWindow window, out StructKeys<int, long> table))
            {
                closed.Add($"{window} {string.Join(",", Enumerable.Range(0, table.Count).Select(i => $"{table.KeyAt(i)}={table.ValueAt(i)}"))}");
                table.Clear();
                job.Recycle(table);
            }

            if (b == restoreAfter)
            {
                Assert.True(job.Count > 0, "The checkpoint must be taken with panes open.");
                var restored = new EventWindowPanes<int, long, StructKeys<int, long>, TReducer>();
                StateSections.Read(StateSections.Write(job.WriteCheckpoint), restored.ReadCheckpoint);
                job = restored;
                for (int p = 0; p < others.Length; p++)
                {
                    others[p] = new EventWindowPanes<int, long, StructKeys<int, long>, TReducer>();
                }
            }
        }

        Assert.Equal(0, job.Count);
        threads = job.FoldThreads;
        return closed;
    }

    private const long Disorder = 3_000;

    // Records 0 to 60 ms apart over 500 keys; out of order, a third of them up to 3 s (Disorder) behind the front, so
    // none is behind the watermark and the panes of a window hold keys that arrived out of their order.
    private static List<(long Time, int Key, long Value)> Generate(int seed, bool inOrder, int count)
    {
        var random = new Random(seed);
        var events = new List<(long, int, long)>(count);
        long front = 1_700_000_000_000;
        for (int i = 0; i < count; i++)
        {
            front += random.Next(60);
            long time = !inOrder && random.Next(3) == 0 ? front - random.Next((int)Disorder) : front;
            events.Add((time, random.Next(500), random.Next(1, 100)));
        }

        return events;
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private readonly struct Sum : IReducer<long>
    {
        public long Reduce(long a, long b) => a + b;
    }

    private readonly struct CheckedSum : IReducer<long>
    {
        // Not inlined: once the fold is optimised (tier 1 on a busy machine), an inlined Reduce leaves no frame of its own
        // in the exception's stack trace, which the test reads to see that the fold's own exception reached the caller.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public long Reduce(long a, long b) => checked(a + b);
    }
}
