namespace Compiled.Connectors;

/// <summary>How long a connector waits before trying a server again: exponential backoff, for sources and sinks alike.</summary>
public static class RetryDelay
{
    /// <summary>
    /// The wait after <paramref name="failures"/> failures in a row (1 or more): <paramref name="first"/>, doubling with
    /// each failure, at most <paramref name="longest"/>. The exponent is capped, so a long outage cannot overflow.
    /// </summary>
    public static TimeSpan After(int failures, TimeSpan first, TimeSpan longest)
    {
        double milliseconds = first.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, longest.TotalMilliseconds));
    }
}
