using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.Profiling;

/// <summary>
/// The calling thread's CPU time (Linux: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), in nanoseconds. On a shared
/// machine whose load exceeds its cores, wall-clock time includes the time a thread waited for a core; the thread's CPU
/// time does not (it still includes what other work does to the caches).
/// </summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Whether the platform has it (Linux); otherwise <see cref="Nanoseconds"/> returns 0.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux();

    /// <summary>The calling thread's CPU time so far, in nanoseconds.</summary>
    public static long Nanoseconds()
    {
        if (!IsAvailable || ClockGetTime(ClockThreadCpuTimeId, out Timespec time) != 0)
        {
            return 0;
        }

        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
