using System.Globalization;
using System.Runtime.CompilerServices;

namespace Compiled.Sketches;

/// <summary>
/// A mergeable quantile sketch with a relative-accuracy guarantee, after DDSketch (Masson, Rim and Lee, "DDSketch: A
/// Fast and Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB 2019): values are counted in
/// logarithmically spaced buckets, so any quantile it returns is within <see cref="RelativeAccuracy"/> (1%) of the
/// exact one. A fixed-size struct (no array, nothing on the heap), so a keyed stage can keep one per key and the
/// steady state allocates nothing; two sketches merge by adding their buckets, and one that holds another's values
/// gives them back by subtracting them, both exactly, so a window can be kept up to date incrementally.
/// </summary>
/// <remarks>
/// <para>
/// <b>Buckets.</b> With γ = (1 + α) / (1 − α), bucket <c>i</c> (0 ≤ i &lt; <see cref="BucketCount"/>) counts the values
/// in (γ^(i−1), γ^i]; a value in [0, 1) counts in a separate zero bucket. The fixed mapping covers
/// [<see cref="MinValue"/>, <see cref="MaxValue"/>] = [1, γ^1023 ≈ 7.7 × 10^8]: latencies in microseconds from
/// 1 µs to about 12.8 minutes. A value above <see cref="MaxValue"/> counts in the top bucket (a quantile that lands
/// there is reported as about <see cref="MaxValue"/>, not within α); pick the unit so that the values of interest
/// lie in the range.
/// </para>
/// <para>
/// <b>Guarantee.</b> For n values sorted as x₀ ≤ … ≤ xₙ₋₁, <see cref="Quantile"/>(q) returns a value within a relative
/// α of x_k, k = ⌊q (n − 1)⌋ (the lower of the two values around rank q (n − 1)), provided x_k is 0 or in
/// [<see cref="MinValue"/>, <see cref="MaxValue"/>]: x_k's bucket is found by walking the cumulative counts, and
/// the estimate 2γ^i / (γ + 1) is within α of every value of bucket i. A merge loses nothing, so the guarantee
/// holds for any sketch built from merges, in any order: merging is associative and commutative, bucket by bucket.
/// </para>
/// <para>
/// <b>Size.</b> 1,024 buckets of 32-bit counts and a 24-byte header: 4,120 bytes. A bucket holds at most
/// <see cref="uint.MaxValue"/> values; a merge beyond that throws <see cref="OverflowException"/> rather than
/// wrap. Adding costs a logarithm; merging, subtracting and a quantile walk only the buckets between the lowest
/// and highest that hold a count.
/// </para>
/// <para>
/// Unlike DDSketch's collapsing stores, the mapping never moves: merging sketches and subtracting one from
/// another is exact bucket arithmetic, which is what an incremental window (Spark's <c>reduceByKeyAndWindow</c> with
/// an inverse) needs. The price is the fixed range above.
/// </para>
/// </remarks>
public struct QuantileSketch : IEquatable<QuantileSketch>
{
    /// <summary>The relative accuracy α of every quantile: 0.01, 1%.</summary>
    public const double RelativeAccuracy = 0.01;

    /// <summary>The number of log-spaced buckets, besides the zero bucket.</summary>
    public const int BucketCount = 1024;

    /// <summary>γ = (1 + α) / (1 − α): the ratio of a bucket's upper bound to its lower bound.</summary>
    public static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);

    /// <summary>The smallest value counted in a log-spaced bucket; smaller ones (from 0) count as 0.</summary>
    public const double MinValue = 1;

    /// <summary>The largest value the buckets hold within the guarantee: γ^(<see cref="BucketCount"/> − 1), about 7.7 × 10^8.</summary>
    public static readonly double MaxValue = Math.Pow(Gamma, BucketCount - 1);

    private static readonly double LogGamma = Math.Log(Gamma);

    private Counts _counts;
    private long _count;
    private long _zeros;

    // The buckets that hold a count are all in [_low, _high); both 0 when there are none. Kept tight, so that two
    // sketches with the same counts have the same range, and merges and walks skip the empty ends.
    private int _low;
    private int _high;

    /// <summary>The number of values in the sketch.</summary>
    public readonly long Count => _count;

    /// <summary>Whether the sketch holds no value.</summary>
    public readonly bool IsEmpty => _count == 0;

    /// <summary>A sketch of one value.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or NaN.</exception>
    public static QuantileSketch Of(double value)
    {
        var sketch = default(QuantileSketch);
        sketch.Add(value);
        return sketch;
    }

    /// <summary>The index of the bucket that counts <paramref name="value"/>, or -1 for the zero bucket.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or NaN.</exception>
    public static int BucketOf(double value)
    {
        if (!(value >= 0))
        {
            ThrowNegative(value);
        }

        if (value < MinValue)
        {
            return -1;
        }

        // ceil(log_γ(value)); rounding at a bucket boundary may give the next bucket, whose estimate is then
        // exactly α above the value, still within the guarantee.
        double index = Math.Ceiling(Math.Log(value) / LogGamma);
        return index >= BucketCount - 1 ? BucketCount - 1 : (int)index;
    }

    /// <summary>The value the sketch reports for bucket <paramref name="index"/>: 2γ^i / (γ + 1), within α of every value of the bucket; 0 for the zero bucket (-1).</summary>
    public static double ValueOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BucketCount);
        return index < 0 ? 0 : 2 * Math.Pow(Gamma, index) / (Gamma + 1);
    }

    /// <summary>Adds a value: a latency in microseconds, say.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or NaN.</exception>
    /// <exception cref="OverflowException">The value's bucket already holds <see cref="uint.MaxValue"/> values.</exception>
    public void Add(double value)
    {
        int index = BucketOf(value);
        if (index < 0)
        {
            _zeros++;
        }
        else
        {
            Span<uint> counts = _counts;
            counts[index] = checked(counts[index] + 1);
            if (_low == _high)
            {
                _low = index;
                _high = index + 1;
            }
            else if (index < _low)
            {
                _low = index;
            }
            else if (index >= _high)
            {
                _high = index + 1;
            }
        }

        _count++;
    }

    /// <summary>Adds the values of <paramref name="other"/>: afterwards this sketch is the sketch of both sets of values.</summary>
    /// <exception cref="OverflowException">A bucket would hold more than <see cref="uint.MaxValue"/> values; this sketch is left unchanged.</exception>
    public void Merge(in QuantileSketch other)
    {
        if (other._low < other._high)
        {
            // Copied first: 'other' may be this very sketch.
            int low = other._low, high = other._high;
            ReadOnlySpan<uint> theirs = other._counts;
            Span<uint> mine = _counts;
            for (int i = low; i < high; i++)
            {
                if (mine[i] > uint.MaxValue - theirs[i])
                {
                    ThrowOverflow();
                }
            }

            for (int i = low; i < high; i++)
            {
                mine[i] += theirs[i];
            }

            if (_low == _high)
            {
                (_low, _high) = (low, high);
            }
            else
            {
                _low = Math.Min(_low, low);
                _high = Math.Max(_high, high);
            }
        }

        _zeros = checked(_zeros + other._zeros);
        _count = checked(_count + other._count);
    }

    /// <summary>
    /// Takes back the values of <paramref name="other"/>, which must all be in this sketch (it was merged in, or this
    /// sketch is a merge that included it): the exact inverse of <see cref="Merge"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="other"/> holds a value this sketch does not; this sketch is left unchanged.</exception>
    public void Subtract(in QuantileSketch other)
    {
        int low = other._low, high = other._high;
        if (other._count > _count || other._zeros > _zeros || (low < high && (low < _low || high > _high)))
        {
            ThrowNotContained();
        }

        ReadOnlySpan<uint> theirs = other._counts;
        Span<uint> mine = _counts;
        for (int i = low; i < high; i++)
        {
            if (theirs[i] > mine[i])
            {
                ThrowNotContained();
            }
        }

        for (int i = low; i < high; i++)
        {
            mine[i] -= theirs[i];
        }

        _zeros -= other._zeros;
        _count -= other._count;

        // Tighten the range past the buckets that emptied.
        while (_low < _high && mine[_low] == 0)
        {
            _low++;
        }

        while (_high > _low && mine[_high - 1] == 0)
        {
            _high--;
        }

        if (_low == _high)
        {
            _low = _high = 0;
        }
    }

    /// <summary>Forgets every value.</summary>
    public void Clear()
    {
        Span<uint> counts = _counts;
        counts[_low.._high].Clear();
        _count = _zeros = 0;
        _low = _high = 0;
    }

    /// <summary>
    /// The q-quantile: a value within <see cref="RelativeAccuracy"/> of the value of rank ⌊q (n − 1)⌋ in sorted order
    /// (0-based), so 0 gives about the smallest value and 1 about the largest; NaN when the sketch is empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is not in [0, 1].</exception>
    public readonly double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile must be at least 0 and at most 1.");
        }

        if (_count == 0)
        {
            return double.NaN;
        }

        // The value of 0-based rank k = floor(q (n - 1)) is in the first bucket whose cumulative count exceeds k.
        long rank = (long)Math.Floor(q * (_count - 1));
        long seen = _zeros;
        if (seen > rank)
        {
            return 0;
        }

        ReadOnlySpan<uint> counts = _counts;
        for (int i = _low; i < _high; i++)
        {
            seen += counts[i];
            if (seen > rank)
            {
                return ValueOf(i);
            }
        }

        return ValueOf(_high - 1);
    }

    /// <summary>How many values bucket <paramref name="index"/> holds; -1 is the zero bucket.</summary>
    public readonly long CountAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BucketCount);
        ReadOnlySpan<uint> counts = _counts;
        return index < 0 ? _zeros : counts[index];
    }

    /// <summary>Whether both sketches hold the same counts in every bucket.</summary>
    public readonly bool Equals(in QuantileSketch other)
    {
        if (_count != other._count || _zeros != other._zeros || _low != other._low || _high != other._high)
        {
            return false;
        }

        ReadOnlySpan<uint> mine = _counts;
        ReadOnlySpan<uint> theirs = other._counts;
        return mine[_low.._high].SequenceEqual(theirs[_low.._high]);
    }

    /// <inheritdoc />
    readonly bool IEquatable<QuantileSketch>.Equals(QuantileSketch other) => Equals(in other);

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is QuantileSketch other && Equals(in other);

    /// <inheritdoc />
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_count);
        hash.Add(_zeros);
        ReadOnlySpan<uint> counts = _counts;
        for (int i = _low; i < _high; i++)
        {
            hash.Add(counts[i]);
        }

        return hash.ToHashCode();
    }

    /// <summary>Whether both sketches hold the same counts in every bucket.</summary>
    public static bool operator ==(in QuantileSketch left, in QuantileSketch right) => left.Equals(in right);

    /// <summary>Whether the sketches differ in some bucket.</summary>
    public static bool operator !=(in QuantileSketch left, in QuantileSketch right) => !left.Equals(in right);

    /// <summary>The count and the median, 95th and 99th percentiles, for debugging: <c>n=1000 p50=14.9 p95=19.6 p99=19.9</c>.</summary>
    public override readonly string ToString() => _count == 0
        ? "n=0"
        : string.Create(CultureInfo.InvariantCulture, $"n={_count} p50={Quantile(0.5):G4} p95={Quantile(0.95):G4} p99={Quantile(0.99):G4}");

    private static void ThrowNegative(double value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "A sketch counts values of at least 0.");

    private static void ThrowOverflow() =>
        throw new OverflowException($"A bucket of the sketch would hold more than {uint.MaxValue} values.");

    private static void ThrowNotContained() =>
        throw new InvalidOperationException("The sketch to subtract holds values this sketch does not: only a sketch that was merged in can be taken back out.");

    [InlineArray(BucketCount)]
    private struct Counts
    {
        private uint _element;
    }
}
