using Compiled.Hosting;
using Compiled.Internal;
using Compiled.Keys;

namespace Compiled.Windows;

/// <summary>Helpers for the window types and the generated code of windowed stages.</summary>
public static class Windowing
{
    /// <summary>
    /// How many batches <paramref name="milliseconds"/> covers at the context's batch interval. The interval was
    /// checked to divide every window when the job was created.
    /// </summary>
    public static int Batches(JobContext context, long milliseconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        long interval = (long)context.BatchInterval.TotalMilliseconds;
        if (interval <= 0 || milliseconds % interval != 0)
        {
            throw new BatchIntervalException(
                $"the batch interval {DurationText.Format(context.BatchInterval)} does not divide " +
                $"{DurationText.Format(TimeSpan.FromMilliseconds(milliseconds))}, a window's length or slide or a state's " +
                "timeout; choose an interval that divides it (--batch-interval on the command line, the batchInterval of " +
                "a test driver), or leave it out to use the pipeline's own");
        }

        return checked((int)(milliseconds / interval));
    }

    /// <summary>Creates a ring of <paramref name="count"/> fresh items, one per batch of a window.</summary>
    internal static T[] Ring<T>(int count)
        where T : new()
    {
        var ring = new T[count];
        for (int i = 0; i < count; i++)
        {
            ring[i] = new T();
        }

        return ring;
    }

    /// <summary>Creates a ring of <paramref name="count"/> fresh key tables, one per batch of a keyed window.</summary>
    internal static TKeys[] Keys<TKeys, TKey, TValue>(int count)
        where TKeys : struct, IKeyTable<TKeys, TKey, TValue>
        where TKey : allows ref struct
    {
        var ring = new TKeys[count];
        for (int i = 0; i < count; i++)
        {
            ring[i] = TKeys.Create();
        }

        return ring;
    }
}
