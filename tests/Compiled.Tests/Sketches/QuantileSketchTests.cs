using System.Runtime.CompilerServices;
using Compiled.Sketches;

namespace Compiled.Tests.Sketches;

/// <summary>
/// <see cref="QuantileSketch"/>: every quantile within 1% of the exact one on random data of many shapes, merging
/// that is associative, commutative and loses nothing, subtraction that undoes a merge exactly, and a fixed size
/// with no allocation.
/// </summary>
public class QuantileSketchTests
{
    private const double Alpha = QuantileSketch.RelativeAccuracy;

    private static readonly double[] Quantiles = [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    public static TheoryData<string, int, int> Distributions() => new()
    {
        { "uniform 10-20 ms in µs", 1, 10_000 },
        { "uniform 1-1e6", 2, 5_000 },
        { "log-normal", 3, 50_000 },
        { "exponential", 4, 20_000 },
        { "pareto", 5, 20_000 },
        { "integers 1-100", 6, 10_000 },
        { "bimodal with zeros", 7, 20_000 },
        { "spanning the whole range", 8, 20_000 },
        { "log-normal", 9, 1 },
        { "log-normal", 10, 2 },
        { "log-normal", 11, 3 },
        { "pareto", 12, 101 },
    };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantile_IsWithinRelativeAccuracyOfTheExactQuantile(string distribution, int seed, int n)
    {
        double[] values = Sample(distribution, seed, n);
        var sketch = default(QuantileSketch);
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        Assert.Equal(n, sketch.Count);
        AssertAccurate(values, sketch);
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Merge_OfPartsInAnyOrder_EqualsTheSketchOfTheWhole(string distribution, int seed, int n)
    {
        double[] values = Sample(distribution, seed, n);
        var random = new Random(seed);
        var parts = new QuantileSketch[7];
        var whole = default(QuantileSketch);
        foreach (double value in values)
        {
            parts[random.Next(parts.Length)].Add(value);
            whole.Add(value);
        }

        var merged = default(QuantileSketch);
        foreach (int part in Enumerable.Range(0, parts.Length).OrderBy(_ => random.Next()))
        {
            merged.Merge(in parts[part]);
        }

        Assert.True(merged == whole, $"merged {merged} differs from whole {whole}");
        AssertAccurate(values, merged);
    }

    [Fact]
    public void Merge_IsAssociativeAndCommutative()
    {
        var random = new Random(20);
        for (int trial = 0; trial < 50; trial++)
        {
            QuantileSketch a = RandomSketch(random), b = RandomSketch(random), c = RandomSketch(random);

            QuantileSketch ab = a;
            ab.Merge(in b);
            QuantileSketch ba = b;
            ba.Merge(in a);
            Assert.True(ab == ba, "a + b != b + a");
            Assert.Equal(ab.GetHashCode(), ba.GetHashCode());

            QuantileSketch abThenC = ab;
            abThenC.Merge(in c);
            QuantileSketch bc = b;
            bc.Merge(in c);
            QuantileSketch aThenBc = a;
            aThenBc.Merge(in bc);
            Assert.True(abThenC == aThenBc, "(a + b) + c != a + (b + c)");
            Assert.Equal(a.Count + b.Count + c.Count, abThenC.Count);
        }
    }

    [Fact]
    public void Merge_WithEmptyIsIdentity_AndWithItselfDoubles()
    {
        QuantileSketch a = RandomSketch(new Random(21));
        QuantileSketch withEmpty = a;
        withEmpty.Merge(default);
        Assert.True(withEmpty == a);

        QuantileSketch fromEmpty = default;
        fromEmpty.Merge(in a);
        Assert.True(fromEmpty == a);

        QuantileSketch doubled = a;
        doubled.Merge(in doubled);
        QuantileSketch twice = a;
        twice.Merge(in a);
        Assert.True(doubled == twice);
        Assert.Equal(2 * a.Count, doubled.Count);
        for (int i = -1; i < QuantileSketch.BucketCount; i++)
        {
            Assert.Equal(2 * a.CountAt(i), doubled.CountAt(i));
        }
    }

    [Fact]
    public void Subtract_UndoesMergeExactly()
    {
        var random = new Random(22);
        for (int trial = 0; trial < 50; trial++)
        {
            QuantileSketch a = RandomSketch(random), b = RandomSketch(random);
            QuantileSketch sum = a;
            sum.Merge(in b);
            sum.Subtract(in b);
            Assert.True(sum == a, "(a + b) - b != a");

            // Down to nothing: the same as a sketch that never held a value.
            sum.Subtract(in a);
            Assert.True(sum == default(QuantileSketch), $"a - a is {sum}, not empty");
            Assert.True(sum.IsEmpty);
            Assert.True(double.IsNaN(sum.Quantile(0.5)));
        }
    }

    [Fact]
    public void Subtract_OfValuesNotInTheSketch_ThrowsAndChangesNothing()
    {
        QuantileSketch a = default;
        a.Add(10);
        a.Add(1000);
        QuantileSketch before = a;

        Assert.Throws<InvalidOperationException>(() => a.Subtract(QuantileSketch.Of(20_000)));   // above its range
        Assert.Throws<InvalidOperationException>(() => a.Subtract(QuantileSketch.Of(100)));      // inside its range, empty bucket
        Assert.Throws<InvalidOperationException>(() => a.Subtract(QuantileSketch.Of(0)));        // no zeros
        QuantileSketch twoTens = QuantileSketch.Of(10);
        twoTens.Add(10);
        Assert.Throws<InvalidOperationException>(() => a.Subtract(in twoTens));                   // more than it has
        Assert.True(a == before);
    }

    [Fact]
    public void Quantile_OfEmptySketchIsNaN_AndQOutsideZeroToOneThrows()
    {
        QuantileSketch empty = default;
        Assert.True(double.IsNaN(empty.Quantile(0.5)));
        Assert.Equal(0, empty.Count);

        QuantileSketch one = QuantileSketch.Of(1234);
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Quantile(-0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Quantile(1.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Quantile(double.NaN));
        foreach (double q in Quantiles)
        {
            Assert.InRange(one.Quantile(q), 1234 * (1 - Alpha), 1234 * (1 + Alpha));
        }
    }

    [Fact]
    public void Add_NegativeOrNaNThrows_ZeroAndBelowOneCountAsZero()
    {
        QuantileSketch sketch = default;
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(double.NaN));
        Assert.True(sketch.IsEmpty);

        sketch.Add(0);
        sketch.Add(0.5);
        sketch.Add(1);
        Assert.Equal(3, sketch.Count);
        Assert.Equal(2, sketch.CountAt(-1));
        Assert.Equal(0, sketch.Quantile(0));
        Assert.Equal(0, sketch.Quantile(0.5));
        Assert.InRange(sketch.Quantile(1), 1 - Alpha, 1 + Alpha);
    }

    [Fact]
    public void Add_AboveMaxValue_CountsInTheTopBucket()
    {
        QuantileSketch sketch = default;
        sketch.Add(QuantileSketch.MaxValue);
        sketch.Add(QuantileSketch.MaxValue * 10);
        sketch.Add(double.PositiveInfinity);
        Assert.Equal(3, sketch.CountAt(QuantileSketch.BucketCount - 1));
        Assert.InRange(sketch.Quantile(1), QuantileSketch.MaxValue * (1 - Alpha), QuantileSketch.MaxValue * (1 + Alpha));
        Assert.InRange(QuantileSketch.MaxValue, 7.6e8, 7.8e8);
    }

    [Fact]
    public void Buckets_AreWithinAlphaAtEveryBoundary()
    {
        // Values right at, just below and just above every bucket boundary γ^i: the estimate of the bucket they
        // land in is within α (at a boundary, rounding may pick either neighbour; both are within α).
        for (int i = 0; i < QuantileSketch.BucketCount; i++)
        {
            double boundary = Math.Pow(QuantileSketch.Gamma, i);
            foreach (double value in new[] { boundary, Math.BitDecrement(boundary), Math.BitIncrement(boundary), boundary * (1 + 1e-9), boundary * (1 - 1e-9) })
            {
                if (value < QuantileSketch.MinValue || value > QuantileSketch.MaxValue)
                {
                    continue;
                }

                double estimate = QuantileSketch.ValueOf(QuantileSketch.BucketOf(value));
                Assert.True(Math.Abs(estimate - value) <= Alpha * value * (1 + 1e-12), $"value {value:R} estimated as {estimate:R}");
            }
        }
    }

    [Fact]
    public void Merge_BeyondABucketsCapacity_ThrowsAndChangesNothing()
    {
        QuantileSketch sketch = QuantileSketch.Of(5);
        for (int i = 0; i < 31; i++)
        {
            sketch.Merge(in sketch);
        }

        Assert.Equal(1L << 31, sketch.Count);
        QuantileSketch before = sketch;
        Assert.Throws<OverflowException>(() => sketch.Merge(in before));
        Assert.True(sketch == before);
    }

    [Fact]
    public void Clear_ForgetsEveryValue()
    {
        QuantileSketch sketch = RandomSketch(new Random(23));
        sketch.Clear();
        Assert.True(sketch == default(QuantileSketch));
        for (int i = -1; i < QuantileSketch.BucketCount; i++)
        {
            Assert.Equal(0, sketch.CountAt(i));
        }
    }

    [Fact]
    public void Sketch_IsAFixedSizeStructThatAllocatesNothing()
    {
        // 1,024 four-byte buckets, two counts and the range of buckets in use.
        Assert.Equal(4 * 1024 + 8 + 8 + 4 + 4, Unsafe.SizeOf<QuantileSketch>());
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<QuantileSketch>());

        var values = Sample("log-normal", 24, 10_000);
        QuantileSketch window = default;
        QuantileSketch batch = default;
        double sum = 0;
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            batch.Clear();
            foreach (double value in values)
            {
                batch.Add(value);
                QuantileSketch one = QuantileSketch.Of(value);
                window.Merge(in one);
            }

            window.Merge(in batch);
            window.Subtract(in batch);
            sum += window.Quantile(0.5) + window.Quantile(0.99);
        });

        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }

    private static void AssertAccurate(double[] values, in QuantileSketch sketch)
    {
        double[] sorted = [.. values.Order()];
        foreach (double q in Quantiles)
        {
            double exact = sorted[(long)Math.Floor(q * (sorted.Length - 1))];
            double estimate = sketch.Quantile(q);
            if (exact < QuantileSketch.MinValue)
            {
                Assert.Equal(0, estimate);
            }
            else
            {
                Assert.True(
                    Math.Abs(estimate - exact) <= Alpha * exact * (1 + 1e-12),
                    $"q={q}: estimate {estimate:R}, exact {exact:R}, relative error {Math.Abs(estimate - exact) / exact:P4}");
            }
        }
    }

    private static QuantileSketch RandomSketch(Random random)
    {
        QuantileSketch sketch = default;
        string[] shapes = ["uniform 1-1e6", "log-normal", "pareto", "integers 1-100", "bimodal with zeros"];
        foreach (double value in Sample(shapes[random.Next(shapes.Length)], random.Next(), random.Next(0, 300)))
        {
            sketch.Add(value);
        }

        return sketch;
    }

    private static double[] Sample(string distribution, int seed, int n)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = distribution switch
            {
                "uniform 10-20 ms in µs" => random.Next(10_000, 20_001),
                "uniform 1-1e6" => 1 + (random.NextDouble() * 999_999),
                "log-normal" => Math.Max(1, 20_000 * Math.Exp(1.2 * Gaussian())),
                "exponential" => 1 - (50_000 * Math.Log(1 - random.NextDouble())),
                "pareto" => 100 / Math.Pow(1 - random.NextDouble(), 1 / 1.1),
                "integers 1-100" => random.Next(1, 101),
                "bimodal with zeros" => random.Next(10) switch
                {
                    0 => 0,
                    < 7 => random.Next(200, 400),
                    _ => random.Next(200_000, 2_000_000),
                },
                "spanning the whole range" => Math.Min(QuantileSketch.MaxValue, Math.Exp(random.NextDouble() * Math.Log(QuantileSketch.MaxValue))),
                _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, null),
            };
        }

        return values;
    }
}
