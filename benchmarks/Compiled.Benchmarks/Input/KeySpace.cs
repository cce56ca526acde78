using System.Text;

namespace Compiled.Benchmarks.Input;

/// <summary>How the keys of a keyed stream are drawn.</summary>
public enum KeyDistribution
{
    /// <summary>Zipf, s = 1: the key of rank r is drawn with probability proportional to 1 / r.</summary>
    Zipf,

    /// <summary>Every key equally likely.</summary>
    Uniform,
}

/// <summary>
/// The 100,000 keys of the windowed benchmarks' streams, <c>user0</c> to <c>user99999</c> (5 to 9 bytes), and a
/// sampler of key indexes. Zipf ranks go through a fixed random permutation, so the hot keys are not all the
/// short ones.
/// </summary>
public sealed class KeySpace
{
    /// <summary>The number of distinct keys.</summary>
    public const int Keys = 100_000;

    private readonly double[]? _cumulative;
    private readonly int[] _rankToKey;

    /// <summary>Creates the key space; <paramref name="random"/> fixes the permutation of ranks.</summary>
    public KeySpace(KeyDistribution distribution, Random random)
    {
        Distribution = distribution;
        Bytes = new byte[Keys][];
        for (int key = 0; key < Keys; key++)
        {
            Bytes[key] = Encoding.ASCII.GetBytes("user" + key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _rankToKey = new int[Keys];
        for (int i = 0; i < Keys; i++)
        {
            _rankToKey[i] = i;
        }

        random.Shuffle(_rankToKey);
        if (distribution == KeyDistribution.Zipf)
        {
            _cumulative = new double[Keys];
            double sum = 0;
            for (int rank = 0; rank < Keys; rank++)
            {
                sum += 1.0 / (rank + 1);
                _cumulative[rank] = sum;
            }

            for (int rank = 0; rank < Keys; rank++)
            {
                _cumulative[rank] /= sum;
            }
        }
    }

    /// <summary>How keys are drawn.</summary>
    public KeyDistribution Distribution { get; }

    /// <summary>The bytes of each key, by key index.</summary>
    public byte[][] Bytes { get; }

    /// <summary>Draws a key index.</summary>
    public int Next(Random random)
    {
        if (_cumulative is null)
        {
            return random.Next(Keys);
        }

        int index = Array.BinarySearch(_cumulative, random.NextDouble());
        int rank = Math.Min(index < 0 ? ~index : index + 1, Keys - 1);
        return _rankToKey[rank];
    }
}
