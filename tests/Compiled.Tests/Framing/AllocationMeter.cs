using System.Runtime.CompilerServices;

namespace Compiled.Tests;

/// <summary>Measures what a piece of code allocates on the calling thread once it is warm.</summary>
internal static class AllocationMeter
{
    /// <summary>
    /// Runs <paramref name="run"/> once to warm it up, then a few more times, and returns the fewest bytes any
    /// of those runs allocated. A rare runtime event can land in one run (the runtime's own tests of
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/> see it); an allocation per record or per lookup shows
    /// in every run, so the minimum still catches it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long LeastAllocated(Action run, int attempts = 3)
    {
        run();
        long least = long.MaxValue;
        for (int i = 0; i < attempts; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
