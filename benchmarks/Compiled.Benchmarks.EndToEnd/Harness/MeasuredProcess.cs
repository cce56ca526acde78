using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// What one run of a job's process took: wall time from start to exit, CPU time (user + system), peak resident memory,
/// exit code, the end of its standard error, and its garbage collections if it reported them (see <see cref="GcCounts"/>).
/// </summary>
internal readonly record struct ProcessMeasure(TimeSpan Elapsed, TimeSpan CpuTime, long PeakRssBytes, int ExitCode, string ErrorTail, GcCounts? Collections);

/// <summary>
/// Runs one process to its end and measures it: the wall time from <see cref="Process.Start()"/> to its exit, seen by a
/// thread that does nothing but wait for it, and its peak resident set (<c>VmHWM</c> of <c>/proc/PID/status</c>, the
/// kernel's high-water mark, read every 10 ms while it runs; the last reading before the exit is kept), and its CPU
/// time, user and system, from <c>getrusage(RUSAGE_CHILDREN)</c> before and after it (one child runs at a time).
/// </summary>
internal static partial class MeasuredProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> and, besides the harness's, the environment
    /// variables <paramref name="environment"/>; its output is read and dropped, the end of its standard error kept.
    /// </summary>
    public static ProcessMeasure Run(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var errors = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            lock (errors)
            {
                errors.AppendLine(line.Data);
                if (errors.Length > 8192)
                {
                    errors.Remove(0, errors.Length - 4096);
                }
            }
        };

        TimeSpan cpuBefore = ChildrenCpuTime();
        var clock = Stopwatch.StartNew();
        process.Start();
        TimeSpan elapsed = TimeSpan.Zero;
        var waiter = new Thread(() =>
        {
            process.WaitForExit();
            elapsed = clock.Elapsed;
        })
        { IsBackground = true, Name = "wait for " + Path.GetFileName(fileName) };
        waiter.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        long peak = 0;
        string status = $"/proc/{process.Id}/status";
        while (!waiter.Join(10))
        {
            peak = Math.Max(peak, ReadHighWaterMark(status));
        }

        process.WaitForExit();   // the redirected streams drained, the child reaped
        TimeSpan cpu = ChildrenCpuTime() - cpuBefore;
        lock (errors)
        {
            string tail = errors.ToString();
            return new ProcessMeasure(elapsed, cpu, peak, process.ExitCode, tail, GcCounts.Find(tail));
        }
    }

    /// <summary>The user and system time of every child of this process that has ended and been waited for.</summary>
    internal static TimeSpan ChildrenCpuTime()
    {
        const int RusageChildren = -1;
        if (!OperatingSystem.IsLinux() || GetResourceUsage(RusageChildren, out ResourceUsage usage) != 0)
        {
            return TimeSpan.Zero;
        }

        long microseconds = (usage.UserSeconds + usage.SystemSeconds) * 1_000_000 + usage.UserMicroseconds + usage.SystemMicroseconds;
        return TimeSpan.FromMicroseconds(microseconds);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    // struct rusage on 64-bit Linux: two timevals, then 14 longs this harness does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRss;
        public long Ixrss;
        public long Idrss;
        public long Isrss;
        public long Minflt;
        public long Majflt;
        public long Nswap;
        public long Inblock;
        public long Oublock;
        public long Msgsnd;
        public long Msgrcv;
        public long Nsignals;
        public long Nvcsw;
        public long Nivcsw;
    }

    /// <summary>A process's peak resident set (VmHWM of its <c>/proc/PID/status</c>) in bytes, or 0 once the process is gone.</summary>
    internal static long ReadHighWaterMark(string statusPath)
    {
        try
        {
            foreach (string line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kilobytes = line["VmHWM:".Length..].Trim();
                    return long.Parse(kilobytes.AsSpan(0, kilobytes.IndexOf(' ')), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }
}
