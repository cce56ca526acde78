using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>The hand-written Q5-style job on several threads.</summary>
internal static partial class HandHottest
{
    /// <summary>
    /// Runs the Q5-style job over <paramref name="inputPath"/> on <paramref name="threads"/> threads into
    /// <paramref name="outputPath"/>: the file split into byte ranges cut at line ends, each range's bids counted by a
    /// thread of its own into windows of its own. A window only one range has bids of is emitted by its thread as
    /// <see cref="Run(string, string)"/> does; a window at a range's edge, which the ranges on both sides have bids of,
    /// is kept by each, and its counts are summed once every thread is done. Which ranges have bids of a window is
    /// read from the time of each range's first and last bid: the bids' event times never go back (the Nexmark
    /// generator's), as the job on one thread assumes too.
    /// </summary>
    public static void Run(string inputPath, string outputPath, int threads)
    {
        if (threads <= 1)
        {
            Run(inputPath, outputPath);
            return;
        }

        (long First, long Last)[] times;
        using (SafeFileHandle input = File.OpenHandle(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            times = [.. LineRanges.Split(input, threads).Select(range => (FirstTime(input, range.Start, range.End), LastTime(input, range.Start, range.End)))];
        }

        // Window `start` has bids of range u if the range's times reach into [start, start + Size).
        bool Counts(int u, long start) => times[u].First <= times[u].Last && times[u].Last >= start && times[u].First < start + Size;

        (MemoryStream Output, Dictionary<long, Dictionary<long, long>> Shared)[] parts = LineRanges.OnThreads(inputPath, threads, (file, part, start, end) =>
        {
            var output = new MemoryStream();
            var windows = new Windows(output, window => Enumerable.Range(0, threads).Any(u => u != part && Counts(u, window)));
            LineRanges.Read(file, start, end, 0, (buffer, length) =>
            {
                int whole = buffer.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
                Lines(windows, buffer.AsSpan(0, whole));
                if (whole < length)
                {
                    Bid(windows, buffer.AsSpan(whole, length - whole));
                }
            });
            windows.CloseAll();
            windows.Flush();
            return (output, windows.Shared);
        });

        using var file = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        foreach ((MemoryStream output, _) in parts)
        {
            output.Position = 0;
            output.CopyTo(file);
        }

        // The windows at the ranges' edges: each one's counts summed over the threads that kept it, then its hottest.
        var merged = new SortedDictionary<long, Dictionary<long, long>>();
        foreach ((_, Dictionary<long, Dictionary<long, long>> shared) in parts)
        {
            foreach ((long start, Dictionary<long, long> counts) in shared)
            {
                if (!merged.TryGetValue(start, out Dictionary<long, long>? sum))
                {
                    merged[start] = sum = [];
                }

                foreach ((long auction, long bids) in counts)
                {
                    sum[auction] = sum.GetValueOrDefault(auction) + bids;
                }
            }
        }

        using (var writer = new StreamWriter(file, leaveOpen: true))
        {
            foreach ((long start, Dictionary<long, long> counts) in merged)
            {
                long most = counts.Values.Max();
                foreach ((long auction, long bids) in counts)
                {
                    if (bids == most)
                    {
                        writer.Write(string.Create(CultureInfo.InvariantCulture, $"({start},{auction},{most})\n"));
                    }
                }
            }
        }

        file.Flush(flushToDisk: true);
    }

    // The event time of the first bid in [start, end), or long.MaxValue if the range is empty.
    private static long FirstTime(SafeFileHandle file, long start, long end)
    {
        Span<byte> head = stackalloc byte[4096];
        int read = RandomAccess.Read(file, head[..(int)Math.Min(head.Length, end - start)], start);
        int newline = head[..read].IndexOf((byte)'\n');
        return read == 0 ? long.MaxValue : TimeOf(head[..(newline < 0 ? read : newline)]);
    }

    // The event time of the last bid in [start, end), or long.MinValue if the range is empty.
    private static long LastTime(SafeFileHandle file, long start, long end)
    {
        Span<byte> tail = stackalloc byte[4096];
        int length = (int)Math.Min(tail.Length, end - start);
        int read = RandomAccess.Read(file, tail[..length], end - length);
        ReadOnlySpan<byte> lines = tail[..read].TrimEnd((byte)'\n');
        return lines.IsEmpty ? long.MinValue : TimeOf(lines[(lines.LastIndexOf((byte)'\n') + 1)..]);
    }

    private static long TimeOf(ReadOnlySpan<byte> line) =>
        long.Parse(line[(line.LastIndexOf((byte)',') + 1)..], CultureInfo.InvariantCulture);
}
