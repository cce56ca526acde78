using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.StreamProcessing;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.Trill;

/// <summary>
/// A bid file as Trill's ingress takes it: an <see cref="IObservable{T}"/> of point events, one per
/// <c>auction,bidder,price,channel,url,dateTime</c> line, read in 4 MiB blocks and parsed in place (span parsing, as the
/// hand-written job does), each bid at its dateTime plus <see cref="TimeShift"/>. Trill's query subscribes to it when
/// the query's output is subscribed; <see cref="Run"/> then pushes the whole file into the query on the calling thread
/// and completes it.
/// </summary>
/// <param name="path">The bid file.</param>
/// <param name="timeShift">Added to each bid's event time (see Q5 for why it is 1 there).</param>
internal sealed class BidFile(string path, long timeShift) : IObservable<StreamEvent<Bid>>
{
    private const int BlockBytes = 4 << 20;
    private IObserver<StreamEvent<Bid>>? _observer;

    /// <summary>What each bid's event time is moved by.</summary>
    public long TimeShift => timeShift;

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<StreamEvent<Bid>> observer)
    {
        if (_observer is not null)
        {
            throw new InvalidOperationException($"The bid file {path} is read once; subscribe one query to it (use Multicast to share it).");
        }

        _observer = observer;
        return new Unsubscriber(this);
    }

    /// <summary>Reads the file into the subscribed query, then completes it.</summary>
    public long Run()
    {
        IObserver<StreamEvent<Bid>> observer = _observer ?? throw new InvalidOperationException("Subscribe the query's output before running its input.");
        long bids = 0;
        using (SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>(BlockBytes);
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
                        bids += Line(observer, buffer.AsSpan(0, carried));
                    }

                    break;
                }

                offset += read;
                int filled = carried + read;
                int cut = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                Span<byte> block = buffer.AsSpan(0, cut);
                while (block.Length > 0)
                {
                    int end = block.IndexOf((byte)'\n');
                    bids += Line(observer, block[..end]);
                    block = block[(end + 1)..];
                }

                carried = filled - cut;
                buffer.AsSpan(cut, carried).CopyTo(buffer);
            }
        }

        observer.OnCompleted();
        return bids;
    }

    // One line: auction, bidder and price are the first three numbers, the time the number after the last comma.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Line(IObserver<StreamEvent<Bid>> observer, ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return 0;
        }

        ref byte start = ref MemoryMarshal.GetReference(line);
        int i = 0;
        Bid bid;
        bid.Auction = Number(ref start, ref i);
        bid.Bidder = Number(ref start, ref i);
        bid.Price = Number(ref start, ref i);
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

        bid.DateTime = time;
        observer.OnNext(StreamEvent.CreatePoint(time + timeShift, bid));
        return 1;
    }

    // The digits from `i` on, and the comma after them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Number(ref byte start, ref int i)
    {
        long value = 0;
        uint digit;
        while ((digit = (uint)(Unsafe.Add(ref start, i) - '0')) <= 9)
        {
            value = (value * 10) + digit;
            i++;
        }

        i++;
        return value;
    }

    private sealed class Unsubscriber(BidFile file) : IDisposable
    {
        public void Dispose() => file._observer = null;
    }
}
