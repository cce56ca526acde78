using System.Buffers;
using System.Text;
using Compiled.Benchmarks.Input;

namespace Compiled.Benchmarks.Windows;

/// <summary>
/// Before anything is measured: each variant runs on fresh state into a <see cref="CollectingRecordSink"/>, and what
/// it writes is compared with sums computed directly from the input lines. Throws on the first difference.
/// </summary>
internal static class WindowChecks
{
    /// <summary>
    /// Runs sliding variant <paramref name="name"/> for 2 × length + 3 batches and compares its output, while the
    /// window fills, once it is full, and at the end, with the window's sums (the floor: the batch's sums).
    /// </summary>
    public static void CheckSliding(string name, int length, KeyedStream input)
    {
        var sink = new CollectingRecordSink();
        using BatchVariant variant = SlidingVariants.Create(name, length, sink);
        var runner = new SlidingRunner(input, variant);
        int window = name == "floor" ? 1 : length;
        int batches = (2 * length) + 3;
        int[] checkAt = [1, length - 1, length, length + 1, batches];
        for (int index = 1; index <= batches; index++)
        {
            sink.Records.Clear();
            runner.RunBatch();
            if (Array.IndexOf(checkAt, index) >= 0)
            {
                Dictionary<string, long> expected = Sums(input, Math.Max(1, index - window + 1), index);
                Compare($"{name} (window of {length} batches) at batch {index}", sink.Records, expected, zerosAllowed: name == "inverse-unfiltered");
            }
        }

        Console.WriteLine($"// Check: {name}, window of {length} batches, agrees with sums computed from the lines ({string.Join(", ", checkAt)}; {batches} batches).");
    }

    /// <summary>
    /// Runs event-time variant <paramref name="name"/> over two periods and ten batches (the minute before the stream's
    /// start, two whole minutes) and compares every window it closed with counts computed from the lines; the floor is
    /// checked batch by batch instead. No record may be late.
    /// </summary>
    public static void CheckEvents(string name, EventStream input)
    {
        var sink = new CollectingRecordSink();
        using BatchVariant variant = EventVariants.Create(name, sink);
        var runner = new EventRunner(input, variant);
        var expected = new Dictionary<(long, string), long>();
        long latest = long.MinValue;
        int batches = (2 * EventStream.BatchesPerPeriod) + 10;
        bool floor = name == "event-floor";
        for (int index = 1; index <= batches; index++)
        {
            runner.Prepare();
            ReadOnlySequence<byte> buffer = input.Sequences[(index - 1) % EventStream.BatchesPerPeriod];
            if (floor)
            {
                expected.Clear();
                sink.Records.Clear();
            }

            foreach (string line in Lines(buffer))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                long time = long.Parse(line.AsSpan(0, space), provider: null);
                latest = Math.Max(latest, time);
                long window = floor ? 0 : EventWindow.LastStart(time, 60_000);
                expected[(window, line[(space + 1)..])] = expected.GetValueOrDefault((window, line[(space + 1)..])) + 1;
            }

            runner.RunBatch();
            if (floor && (index == 1 || index == batches))
            {
                Compare($"{name} at batch {index}", sink.Records, expected, zerosAllowed: false);
            }
        }

        if (variant.LateRecords != 0)
        {
            throw new InvalidOperationException($"{name} found {variant.LateRecords:N0} late records; the stream has none.");
        }

        if (name == "event-minute-table")
        {
            // The ablation's minutes are minutes of batches: each holds 60 batches' lines.
            long counted = sink.Records.Values.Sum();
            if (counted != 2L * EventStream.BatchesPerPeriod * EventStream.RecordsPerBatch)
            {
                throw new InvalidOperationException($"{name} counted {counted:N0} lines in two minutes.");
            }
        }
        else if (!floor)
        {
            // The windows the watermark (the latest event time minus 5 s, as of the last boundary) has passed.
            long watermark = latest - 5_000;
            var closed = expected.Where(entry => entry.Key.Item1 + 60_000 <= watermark).ToDictionary(entry => entry.Key, entry => entry.Value);
            if (closed.Select(entry => entry.Key.Item1).Distinct().Count() != 3)
            {
                throw new InvalidOperationException("The check expected three closed minutes.");
            }

            Compare(name, sink.Records, closed, zerosAllowed: false);
        }

        Console.WriteLine($"// Check: {name} agrees with counts computed from the lines over {batches} batches ({sink.Records.Count:N0} records), no late record.");
    }

    // The sum of each key's values over batches first..last (1-based: batch k is the stream's batch k - 1, cycled).
    private static Dictionary<string, long> Sums(KeyedStream input, long first, long last)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        for (long index = first; index <= last; index++)
        {
            foreach (string line in Lines(input.Sequences[(index - 1) % KeyedStream.Batches]))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                string key = line[..space];
                sums[key] = sums.GetValueOrDefault(key) + (line[space + 1] - '0');
            }
        }

        return sums;
    }

    private static List<string> Lines(ReadOnlySequence<byte> buffer)
    {
        string text = Encoding.ASCII.GetString(buffer);
        var lines = new List<string>(text.Split('\n'));
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static void Compare(string what, Dictionary<(long Window, string Key), long> actual, Dictionary<string, long> expected, bool zerosAllowed) =>
        Compare(what, actual, expected.ToDictionary(entry => (0L, entry.Key), entry => entry.Value), zerosAllowed);

    private static void Compare(string what, Dictionary<(long Window, string Key), long> actual, Dictionary<(long, string), long> expected, bool zerosAllowed)
    {
        int zeros = 0;
        foreach (((long window, string key), long value) in actual)
        {
            if (zerosAllowed && value == 0 && !expected.ContainsKey((window, key)))
            {
                zeros++;
                continue;
            }

            if (!expected.TryGetValue((window, key), out long other) || other != value)
            {
                throw new InvalidOperationException($"{what}: wrote ({window}, {key}) = {value}; the lines give {(expected.ContainsKey((window, key)) ? other : "no such key")}.");
            }
        }

        if (actual.Count - zeros != expected.Count)
        {
            throw new InvalidOperationException($"{what}: wrote {actual.Count - zeros:N0} records (besides {zeros:N0} zeros); the lines give {expected.Count:N0}.");
        }
    }
}
