namespace Samples.Nexmark.Generator;

/// <summary>
/// The random numbers of one event: a SplitMix64 sequence started from the stream's seed and the event's number, so
/// each event is the same whatever was generated before it (a source may start at any event, or skip the kinds it does
/// not deliver, and still write the same stream).
/// </summary>
internal struct NexmarkRandom
{
    private ulong _state;

    /// <summary>Starts the numbers of event <paramref name="eventNumber"/> of the stream of seed <paramref name="seed"/>.</summary>
    public NexmarkRandom(long seed, long eventNumber)
    {
        _state = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL) ^ Mix((ulong)eventNumber + 0x632BE59BD9B4E019UL);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A number from 0 to <paramref name="bound"/> - 1 (bound at least 1).</summary>
    public long NextLong(long bound) => (long)Math.BigMul(NextBits(), (ulong)bound, out _);

    /// <summary>A number from 0 to <paramref name="bound"/> - 1 (bound at least 1).</summary>
    public int NextInt(int bound) => (int)NextLong(bound);

    /// <summary>A number in [0, 1).</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
