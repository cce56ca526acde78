using System.Diagnostics;
using System.Globalization;
using Compiled.Keys;

namespace Compiled.Benchmarks.Micro.State;

/// <summary>
/// <c>updatestate [rounds] [keys]</c>: the end of a batch of an <c>[UpdateStateByKey]</c> store, as one partition ends
/// it (one store, the update function called key by key) and as the job's store on 2 partitions does (a second store's
/// values merged in first, untimed; then the updates worked out side by side and handed out in order), alternately, one batch each per
/// round. Each batch adds 2 records per key; the state is a count and a hash folded over the values. Two functions: the
/// fold alone ("cheap"), and the fold with 200 more multiply-adds per key ("costly", a user's scoring of a key). Prints
/// the median wall time of the updates (every key's, handed out) per variant and the median of the per-round ratios. Both
/// variants hand out the same states (checked every round).
/// </summary>
public static class UpdateStateRounds
{
    /// <summary>Runs the rounds; returns the exit code.</summary>
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
        int keys = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        Console.WriteLine($"{keys:N0} keys, 2 records a key a batch, {rounds} rounds; wall time of a batch's updates");
        Console.WriteLine($"{"function",-8} | {"one store",10} | {"2 partitions",12} | {"÷ one store",11}");
        Measure<Cheap>("cheap", rounds, keys);
        Measure<Costly>("costly", rounds, keys);
        return 0;
    }

    private static void Measure<TFunction>(string name, int rounds, int keys)
        where TFunction : struct, IUpdateStateFunction<long, int, (long Count, long Hash)>
    {
        var one = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, TFunction>();
        var job = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, TFunction>();
        var other = new UpdateStateStore<long, int, (long Count, long Hash), StructKeys<long, UpdateEntry<(long Count, long Hash)>>, TFunction>();
        var random = new Random(20261206);
        long[] order = [.. Enumerable.Range(0, 2 * keys).Select(i => (long)(i % keys)).OrderBy(_ => random.Next())];
        var oneTimes = new double[rounds];
        var twoTimes = new double[rounds];
        for (int round = -2; round < rounds; round++)
        {
            long checkOne = 0, checkTwo = 0;
            for (int i = 0; i < order.Length; i++)
            {
                one.Add(order[i], i & 1023);
                (i < order.Length / 2 ? job : other).Add(order[i], i & 1023);
            }

            long time = 1000L * (round + 3);
            long start = Stopwatch.GetTimestamp();
            while (one.NextState(time, out long key, out var state))
            {
                checkOne += key ^ state.Hash;
            }

            double oneElapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            other.MergeBatchInto(job);
            start = Stopwatch.GetTimestamp();
            while (job.NextState(time, out long key, out var state))
            {
                checkTwo += key ^ state.Hash;
            }

            double twoElapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (checkOne != checkTwo)
            {
                throw new InvalidOperationException($"The stores handed out different states in round {round}.");
            }

            if (round >= 0)
            {
                oneTimes[round] = oneElapsed;
                twoTimes[round] = twoElapsed;
            }
        }

        double[] ratios = [.. Enumerable.Range(0, rounds).Select(r => twoTimes[r] / oneTimes[r])];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-8} | {Median(oneTimes),7:F1} ms | {Median(twoTimes),9:F1} ms | {Median(ratios),11:F2}"));
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static (long Count, long Hash) Fold(ReadOnlySpan<int> values, (long Count, long Hash)? state)
    {
        (long count, long hash) = state ?? (0, 17);
        foreach (int value in values)
        {
            count++;
            hash = (hash * 31) + value;
        }

        return (count, hash);
    }

    private struct Cheap : IUpdateStateFunction<long, int, (long Count, long Hash)>
    {
        public static (long Count, long Hash)? Update(long batchTime, long key, ReadOnlySpan<int> values, (long Count, long Hash)? state) => Fold(values, state);
    }

    private struct Costly : IUpdateStateFunction<long, int, (long Count, long Hash)>
    {
        public static (long Count, long Hash)? Update(long batchTime, long key, ReadOnlySpan<int> values, (long Count, long Hash)? state)
        {
            (long count, long hash) = Fold(values, state);
            for (int i = 0; i < 200; i++)
            {
                hash = (hash * 6364136223846793005L) + key;
            }

            return (count, hash);
        }
    }
}
