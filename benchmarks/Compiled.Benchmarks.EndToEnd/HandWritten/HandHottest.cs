using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// The Q5-style job (samples/Nexmark's Q5, hot items) as a performance engineer would write it for this one job, using
/// nothing of the runtime: in each 10 s window of event time, sliding every 2 s, every auction with the most bids. The
/// bid file (<c>auction,bidder,price,channel,url,dateTime</c> lines) is read with <see cref="RandomAccess"/> in 4 MiB
/// blocks; a line's auction is read from its start and its time from its end, digit by digit; each bid is counted in
/// the <see cref="AuctionCounts"/> of each of the 5 windows that hold it, kept in a ring of 8 (a window's table is
/// cleared and reused by a later window); a window is emitted once the latest event time reaches its end, as
/// <c>(windowStart, auction, bids)</c> lines, flushed to disk as the compiled job's file sink does.
/// </summary>
/// <remarks>
/// The compiled Q5's watermark is the latest event time (lateness 0), moved on at batch boundaries; this job moves it
/// on at every bid. On a stream whose event times never go back (the Nexmark generator's) both count every bid and
/// emit the same windows. A bid older than a window this job has emitted is not counted in it.
/// </remarks>
internal static partial class HandHottest
{
    private const long Size = 10_000;
    private const long Slide = 2_000;
    private const int Ring = 8;   // more than the Size / Slide windows open at once
    private const int BlockBytes = 4 << 20;

    /// <summary>Reads the bids of <paramref name="inputPath"/> and writes each window's hottest auctions to <paramref name="outputPath"/>.</summary>
    public static void Run(string inputPath, string outputPath)
    {
        using var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var windows = new Windows(output);
        using (SafeFileHandle file = File.OpenHandle(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
            long offset = 0;
            int carried = 0;   // the start of a line cut by the end of the last block, moved to the front
            while (true)
            {
                if (buffer.Length - carried < BlockBytes / 2)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                int read = RandomAccess.Read(file, buffer.AsSpan(carried), offset);
                if (read == 0)
                {
                    if (carried > 0)
                    {
                        Bid(windows, buffer.AsSpan(0, carried));
                    }

                    break;
                }

                offset += read;
                int filled = carried + read;
                int cut = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                Lines(windows, buffer.AsSpan(0, cut));
                carried = filled - cut;
                buffer.AsSpan(cut, carried).CopyTo(buffer);
            }
        }

        windows.CloseAll();
        windows.Flush();
        output.Flush(flushToDisk: true);
    }

    private static void Lines(Windows windows, Span<byte> block)
    {
        while (block.Length > 0)
        {
            int end = block.IndexOf((byte)'\n');
            Bid(windows, block[..end]);
            block = block[(end + 1)..];
        }
    }

    // One line: the auction is the number before the first comma, the time the number after the last one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Bid(Windows windows, ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return;
        }

        ref byte start = ref MemoryMarshal.GetReference(line);
        long auction = 0;
        int i = 0;
        uint digit;
        while ((digit = (uint)(Unsafe.Add(ref start, i) - '0')) <= 9)
        {
            auction = (auction * 10) + digit;
            i++;
        }

        int j = line.Length - 1;
        while ((uint)(Unsafe.Add(ref start, j) - '0') <= 9)
        {
            j--;
        }

        long time = 0;
        for (j++; j < line.Length; j++)
        {
            time = (time * 10) + (Unsafe.Add(ref start, j) - '0');
        }

        windows.Add(time, auction);
    }

    // The open windows, in a ring by start (a start's place is (start / Slide) mod Ring), each with its table. On
    // several threads, a window another thread also counts bids of (`isShared`) is not emitted but kept, its counts
    // to be merged with the other thread's.
    private sealed class Windows(Stream output, Func<long, bool>? isShared = null)
    {
        private readonly long[] _starts = NoWindows();
        private readonly AuctionCounts[] _tables = [.. Enumerable.Range(0, Ring).Select(_ => new AuctionCounts())];
        private readonly byte[] _text = new byte[1 << 16];
        private int _written;
        private long _latest = long.MinValue;
        private long _nextEnd = long.MaxValue;   // the earliest end of an open window

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(long time, long auction)
        {
            if (time > _latest)
            {
                _latest = time;
                if (time >= _nextEnd)
                {
                    CloseUpTo(time);
                }
            }

            long first = time - (time % Slide);
            if (time < 0 && first != time)
            {
                first -= Slide;
            }

            for (long start = first; start > time - Size && start + Size > _latest; start -= Slide)
            {
                int place = (int)((start / Slide) & (Ring - 1));
                if (_starts[place] != start)
                {
                    _starts[place] = start;
                    _nextEnd = Math.Min(_nextEnd, start + Size);
                }

                _tables[place].Add(auction);
            }
        }

        // Emits, in order of end, every open window that ends at or before `watermark`.
        public void CloseUpTo(long watermark)
        {
            while (true)
            {
                int earliest = -1;
                for (int place = 0; place < Ring; place++)
                {
                    if (_starts[place] != long.MinValue && (earliest < 0 || _starts[place] < _starts[earliest]))
                    {
                        earliest = place;
                    }
                }

                if (earliest < 0 || _starts[earliest] + Size > watermark)
                {
                    _nextEnd = earliest < 0 ? long.MaxValue : _starts[earliest] + Size;
                    return;
                }

                Emit(_starts[earliest], _tables[earliest]);
                _tables[earliest].Clear();
                _starts[earliest] = long.MinValue;
            }
        }

        public void CloseAll() => CloseUpTo(long.MaxValue);

        public void Flush()
        {
            output.Write(_text, 0, _written);
            _written = 0;
        }

        /// <summary>The counts of the windows that were not emitted because another thread counts bids of them too, by start.</summary>
        public Dictionary<long, Dictionary<long, long>> Shared { get; } = [];

        private void Emit(long start, AuctionCounts table)
        {
            if (isShared is not null && isShared(start))
            {
                var counts = new Dictionary<long, long>(table.Count);
                foreach (AuctionCounts.Slot slot in table.Slots)
                {
                    if (slot.Key != long.MinValue)
                    {
                        counts[slot.Key] = slot.Count;
                    }
                }

                Shared[start] = counts;
                return;
            }

            long most = table.Most();
            foreach (AuctionCounts.Slot slot in table.Slots)
            {
                if (slot.Key != long.MinValue && slot.Count == most)
                {
                    if (_text.Length - _written < 80)
                    {
                        Flush();
                    }

                    Span<byte> line = _text.AsSpan(_written);
                    line[0] = (byte)'(';
                    int at = 1;
                    at += Number(start, line[at..]);
                    line[at++] = (byte)',';
                    at += Number(slot.Key, line[at..]);
                    line[at++] = (byte)',';
                    at += Number(most, line[at..]);
                    line[at++] = (byte)')';
                    line[at++] = (byte)'\n';
                    _written += at;
                }
            }
        }

        private static int Number(long value, Span<byte> destination)
        {
            Utf8Formatter.TryFormat(value, destination, out int written);
            return written;
        }

        private static long[] NoWindows()
        {
            var starts = new long[Ring];
            starts.AsSpan().Fill(long.MinValue);
            return starts;
        }
    }
}
