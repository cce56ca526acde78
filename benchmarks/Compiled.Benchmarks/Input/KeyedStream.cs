using System.Buffers;
using System.Globalization;

namespace Compiled.Benchmarks.Input;

/// <summary>
/// The input of the sliding-window benchmarks: a steady stream of batches of <see cref="RecordsPerBatch"/> lines
/// <c>key value</c> (<c>user4821 7\n</c>: a key of <see cref="KeySpace"/>, a space, a value from 1 to 9), each
/// batch its own multi-segment <see cref="ReadOnlySequence{T}"/> of 64 KiB segments. <see cref="Batches"/>
/// distinct batches are built from a fixed seed and cycled; that is more than any window's length plus one, so
/// the batch that leaves a window is never the one that enters it.
/// </summary>
public sealed class KeyedStream
{
    /// <summary>Records (lines) in each batch.</summary>
    public const int RecordsPerBatch = 100_000;

    /// <summary>Distinct batches, cycled.</summary>
    public const int Batches = 64;

    private const int Seed = 20261125;

    private static readonly Lazy<KeyedStream> s_zipf = new(() => new KeyedStream(KeyDistribution.Zipf));
    private static readonly Lazy<KeyedStream> s_uniform = new(() => new KeyedStream(KeyDistribution.Uniform));

    private readonly int[][] _distinct;

    private KeyedStream(KeyDistribution distribution)
    {
        var random = new Random(Seed);
        Keys = new KeySpace(distribution, random);
        Sequences = new ReadOnlySequence<byte>[Batches];
        _distinct = new int[Batches][];
        var seen = new bool[KeySpace.Keys];
        var distinct = new List<int>();
        for (int batch = 0; batch < Batches; batch++)
        {
            var text = new ArrayBufferWriter<byte>(RecordsPerBatch * 12);
            distinct.Clear();
            for (int record = 0; record < RecordsPerBatch; record++)
            {
                int key = Keys.Next(random);
                if (!seen[key])
                {
                    seen[key] = true;
                    distinct.Add(key);
                }

                text.Write(Keys.Bytes[key]);
                Span<byte> tail = text.GetSpan(3);
                tail[0] = (byte)' ';
                tail[1] = (byte)('1' + random.Next(9));
                tail[2] = (byte)'\n';
                text.Advance(3);
            }

            foreach (int key in distinct)
            {
                seen[key] = false;
            }

            _distinct[batch] = [.. distinct];
            byte[] bytes = text.WrittenSpan.ToArray();
            Bytes += bytes.Length;
            Sequences[batch] = Segments.Split(bytes, Corpus.SegmentBytes);
        }
    }

    /// <summary>The Zipf-distributed stream (built on first use, in about a second).</summary>
    public static KeyedStream Zipf => s_zipf.Value;

    /// <summary>The uniformly distributed stream (built on first use).</summary>
    public static KeyedStream Uniform => s_uniform.Value;

    /// <summary>The stream of the given distribution.</summary>
    public static KeyedStream Of(KeyDistribution distribution) => distribution == KeyDistribution.Zipf ? Zipf : Uniform;

    /// <summary>The keys and how they are drawn.</summary>
    public KeySpace Keys { get; }

    /// <summary>Each batch, as a pipe would hand it over.</summary>
    public ReadOnlySequence<byte>[] Sequences { get; }

    /// <summary>The bytes of all <see cref="Batches"/> batches.</summary>
    public long Bytes { get; }

    /// <summary>The distinct keys of batch <paramref name="batch"/> (0-based, cycled).</summary>
    public int DistinctKeys(int batch) => _distinct[batch % Batches].Length;

    /// <summary>
    /// Averages over every window position of the cycle, for a window of <paramref name="length"/> batches sliding
    /// by one: the distinct keys of a batch, the sum of the distinct keys of the batches in the window (the upserts
    /// a merge makes), the distinct keys of the batch that enters plus those of the one that leaves (the updates an
    /// incremental window makes), the distinct keys in the window (what it emits), and the keys that left the window
    /// at the slide (what a filter dropping zeros drops).
    /// </summary>
    public WindowStats Stats(int length)
    {
        var windows = new bool[Batches][];
        for (int end = 0; end < Batches; end++)
        {
            windows[end] = new bool[KeySpace.Keys];
            for (int back = 0; back < length; back++)
            {
                foreach (int key in _distinct[(end - back + (Batches * length)) % Batches])
                {
                    windows[end][key] = true;
                }
            }
        }

        double batchKeys = 0;
        double merged = 0;
        double window = 0;
        double dropped = 0;
        for (int end = 0; end < Batches; end++)
        {
            batchKeys += _distinct[end].Length;
            for (int back = 0; back < length; back++)
            {
                merged += _distinct[(end - back + (Batches * length)) % Batches].Length;
            }

            bool[] now = windows[end];
            bool[] before = windows[(end + Batches - 1) % Batches];
            for (int key = 0; key < KeySpace.Keys; key++)
            {
                window += now[key] ? 1 : 0;
                dropped += before[key] && !now[key] ? 1 : 0;
            }
        }

        double perBatch = batchKeys / Batches;
        return new WindowStats(length, perBatch, merged / Batches, 2 * perBatch, window / Batches, dropped / Batches);
    }

    /// <summary>A one-line description for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Batches} batches of {RecordsPerBatch:N0} records, {(double)Bytes / Batches / 1e6:F2} MB a batch, {KeySpace.Keys:N0} keys ({Keys.Distribution}), {Stats(1).BatchKeys:N0} distinct keys a batch on average");
}

/// <summary>What a window over a <see cref="KeyedStream"/> holds and touches, on average per slide of one batch.</summary>
/// <param name="Length">The window's length in batches.</param>
/// <param name="BatchKeys">Distinct keys in one batch.</param>
/// <param name="MergeUpserts">The sum of the distinct keys of the window's batches: what merging the window's per-batch tables looks up.</param>
/// <param name="IncrementalUpdates">Distinct keys of the batch entering plus those of the batch leaving.</param>
/// <param name="WindowKeys">Distinct keys in the window: what each slide emits.</param>
/// <param name="DroppedKeys">Keys in the window before the slide and not after it: their sum fell to zero.</param>
public readonly record struct WindowStats(int Length, double BatchKeys, double MergeUpserts, double IncrementalUpdates, double WindowKeys, double DroppedKeys);
