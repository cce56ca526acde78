using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace Compiled.Benchmarks.Input;

/// <summary>
/// The input of the event-time benchmarks: batches of <see cref="RecordsPerBatch"/> lines <c>timestamp key</c>
/// (<c>1795564800123 user4821\n</c>: Unix milliseconds in 13 digits, a space, a key of <see cref="KeySpace"/>,
/// Zipf-distributed). Batch j (from 0) of the stream holds event times of second j after
/// <see cref="Epoch"/>, in order, except <see cref="DelayedPercent"/>% of records, which are delayed by up to
/// <see cref="MaxDelayMs"/> ms: out of order, but within the pipeline's lateness of 5 s, so none is late.
/// </summary>
/// <remarks>
/// A period is <see cref="BatchesPerPeriod"/> batches, one minute of event time: one tumbling window. The stream is
/// endless, but only one period of batches is kept in memory: <see cref="MoveTo"/> rewrites the timestamps in place
/// (every line keeps its length) for a later period, outside the measured code.
/// </remarks>
public sealed class EventStream
{
    /// <summary>Records (lines) in each batch.</summary>
    public const int RecordsPerBatch = 100_000;

    /// <summary>Batches in a period: one minute of event time at one batch a second.</summary>
    public const int BatchesPerPeriod = 60;

    /// <summary>The share of records delayed, in percent.</summary>
    public const int DelayedPercent = 10;

    /// <summary>The longest delay, in milliseconds (the pipeline allows 5,000).</summary>
    public const int MaxDelayMs = 4_000;

    /// <summary>Width of the timestamp field.</summary>
    private const int TimestampDigits = 13;

    private const int Seed = 20261126;

    private static readonly Lazy<EventStream> s_shared = new(() => new EventStream());

    private readonly byte[][] _bytes;

    private EventStream()
    {
        var random = new Random(Seed);
        var keys = new KeySpace(KeyDistribution.Zipf, random);
        _bytes = new byte[BatchesPerPeriod][];
        Sequences = new ReadOnlySequence<byte>[BatchesPerPeriod];
        for (int batch = 0; batch < BatchesPerPeriod; batch++)
        {
            var text = new ArrayBufferWriter<byte>(RecordsPerBatch * 24);
            for (int record = 0; record < RecordsPerBatch; record++)
            {
                long time = Epoch + (batch * 1000L) + ((long)record * 1000 / RecordsPerBatch);
                if (random.Next(100) < DelayedPercent)
                {
                    time -= 1 + random.Next(MaxDelayMs);
                }

                Span<byte> field = text.GetSpan(TimestampDigits + 1);
                WriteTimestamp(field, time);
                field[TimestampDigits] = (byte)' ';
                text.Advance(TimestampDigits + 1);
                text.Write(keys.Bytes[keys.Next(random)]);
                text.Write("\n"u8);
            }

            _bytes[batch] = text.WrittenSpan.ToArray();
            Bytes += _bytes[batch].Length;
            Sequences[batch] = Segments.Split(_bytes[batch], Corpus.SegmentBytes);
        }
    }

    /// <summary>The start of the event time of period 0: 2026-11-25T00:00:00Z, a whole minute.</summary>
    public static long Epoch { get; } = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The stream (built on first use, in a few seconds).</summary>
    public static EventStream Shared => s_shared.Value;

    /// <summary>The period whose timestamps the batches now hold.</summary>
    public long Period { get; private set; }

    /// <summary>The batches of <see cref="Period"/>, as a pipe would hand them over.</summary>
    public ReadOnlySequence<byte>[] Sequences { get; }

    /// <summary>The bytes of one period.</summary>
    public long Bytes { get; }

    /// <summary>Rewrites every timestamp for <paramref name="period"/> (a no-op if the batches hold it already).</summary>
    public void MoveTo(long period)
    {
        long shift = (period - Period) * BatchesPerPeriod * 1000;
        if (shift == 0)
        {
            return;
        }

        foreach (byte[] bytes in _bytes)
        {
            int start = 0;
            while (start < bytes.Length)
            {
                Span<byte> field = bytes.AsSpan(start, TimestampDigits);
                if (!Utf8Parser.TryParse(field, out long time, out int consumed) || consumed != TimestampDigits)
                {
                    throw new InvalidOperationException($"No timestamp at byte {start}.");
                }

                WriteTimestamp(field, time + shift);
                start += TimestampDigits + 1 + bytes.AsSpan(start + TimestampDigits + 1).IndexOf((byte)'\n') + 1;
            }
        }

        Period = period;
    }

    /// <summary>A one-line description for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"periods of {BatchesPerPeriod} batches of {RecordsPerBatch:N0} records, {(double)Bytes / BatchesPerPeriod / 1e6:F2} MB a batch, {KeySpace.Keys:N0} keys (Zipf), {DelayedPercent}% of records delayed by up to {MaxDelayMs} ms");

    private static void WriteTimestamp(Span<byte> field, long time)
    {
        if (!Utf8Formatter.TryFormat(time, field[..TimestampDigits], out int written, new StandardFormat('D', TimestampDigits)) || written != TimestampDigits)
        {
            throw new InvalidOperationException($"The event time {time} does not fit {TimestampDigits} digits.");
        }
    }
}
