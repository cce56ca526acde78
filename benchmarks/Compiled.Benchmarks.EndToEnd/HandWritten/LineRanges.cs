using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>Handles one block of whole lines: <c>buffer[0..length)</c>, with readable bytes past it (the reader's padding).</summary>
internal delegate void LinesHandler(byte[] buffer, int length);

/// <summary>
/// What the hand-written jobs on several threads share: a file split into byte ranges cut at line ends, one a thread,
/// and a range read with <see cref="RandomAccess"/> in 4 MiB blocks of whole lines (a line cut by a block's end is
/// moved to the front of the next one).
/// </summary>
internal static class LineRanges
{
    private const int BlockBytes = 4 << 20;

    /// <summary>
    /// <paramref name="count"/> ranges that cover the file, each (but the first) starting just after a newline: the
    /// n-th ends at the first line end at or after n/count of the file. A range is empty if a line spans it.
    /// </summary>
    public static (long Start, long End)[] Split(SafeFileHandle file, int count)
    {
        long length = RandomAccess.GetLength(file);
        var cuts = new long[count + 1];
        cuts[count] = length;
        Span<byte> probe = stackalloc byte[4096];
        for (int n = 1; n < count; n++)
        {
            long at = Math.Max(cuts[n - 1], length * n / count);
            while (true)
            {
                int read = RandomAccess.Read(file, probe, at);
                if (read == 0)
                {
                    at = length;
                    break;
                }

                int newline = probe[..read].IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    at += newline + 1;
                    break;
                }

                at += read;
            }

            cuts[n] = at;
        }

        return [.. Enumerable.Range(0, count).Select(n => (cuts[n], cuts[n + 1]))];
    }

    /// <summary>
    /// Reads <c>[start, end)</c> of <paramref name="file"/> and hands it over in blocks of whole lines (the last one
    /// may lack its newline), each with <paramref name="padding"/> readable bytes past it.
    /// </summary>
    public static void Read(SafeFileHandle file, long start, long end, int padding, LinesHandler handle)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(BlockBytes + padding, pinned: true);
        long offset = start;
        int carried = 0;   // the start of a line cut by the end of the last block, moved to the front
        while (true)
        {
            if (buffer.Length - padding - carried < BlockBytes / 2)
            {
                // A line longer than half a block: grow rather than cut it.
                Array.Resize(ref buffer, (buffer.Length * 2) + padding);
            }

            int want = (int)Math.Min(buffer.Length - padding - carried, end - offset);
            int read = want == 0 ? 0 : RandomAccess.Read(file, buffer.AsSpan(carried, want), offset);
            if (read == 0)
            {
                if (carried > 0)
                {
                    handle(buffer, carried);
                }

                return;
            }

            offset += read;
            int filled = carried + read;
            int cut = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (cut > 0)
            {
                handle(buffer, cut);
            }

            carried = filled - cut;
            buffer.AsSpan(cut, carried).CopyTo(buffer);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> for each of <paramref name="count"/> ranges of the file at <paramref name="path"/>,
    /// each on a thread of its own (the first on the calling thread), with the range's number, start and end; returns
    /// their results in file order.
    /// </summary>
    public static T[] OnThreads<T>(string path, int count, Func<SafeFileHandle, int, long, long, T> work)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        (long Start, long End)[] ranges = Split(file, count);
        var results = new T[count];
        Exception? failure = null;
        var threads = new Thread[count];
        for (int n = 1; n < count; n++)
        {
            int range = n;
            threads[n] = new Thread(() =>
            {
                try
                {
                    results[range] = work(file, range, ranges[range].Start, ranges[range].End);
                }
                catch (Exception e)
                {
                    failure = e;
                }
            })
            { Name = "range " + n, IsBackground = true };
            threads[n].Start();
        }

        results[0] = work(file, 0, ranges[0].Start, ranges[0].End);
        for (int n = 1; n < count; n++)
        {
            threads[n].Join();
        }

        if (failure is not null)
        {
            throw new AggregateException("A range's thread failed.", failure);
        }

        return results;
    }

    /// <summary>The threads a hand-written job is told to use (<c>--threads N</c>, default 1).</summary>
    public static int Threads(IReadOnlyDictionary<string, string> options) =>
        options.TryGetValue("--threads", out string? threads) ? int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture) : 1;
}
