using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled.Benchmarks.Kafka.Comparison;

/// <summary>
/// One job of the comparison: its name, program, arguments for an output directory, its consumer group, the topics it
/// reads from their start and the internal topics it reads only what it writes to itself.
/// </summary>
internal sealed record TopicJob(
    string Name, string FileName, Func<string, IReadOnlyList<string>> Arguments, string Group, IReadOnlyList<string> Topics, IReadOnlyList<string> InternalTopics);

/// <summary>
/// One run of a <see cref="TopicJob"/>: started, watched until its work is done (a condition asked every 50 ms), then
/// stopped with SIGTERM and waited for. Measured: the time to the end of the work, the time the stop took, the CPU time
/// of the whole process (user + system, <c>getrusage(RUSAGE_CHILDREN)</c> around it), and its peak resident set
/// (<c>VmHWM</c>, read while it runs).
/// </summary>
internal readonly partial record struct TopicJobRun(TimeSpan Elapsed, TimeSpan StopTime, TimeSpan CpuTime, long PeakRssBytes, string? Failure, string ErrorTail)
{
    private const int SignalTerminate = 15;

    /// <summary>Runs <paramref name="job"/> until <paramref name="done"/> says so (at most <paramref name="limit"/>), then stops it.</summary>
    public static TopicJobRun Run(TopicJob job, string output, Func<bool> done, TimeSpan limit)
    {
        var start = new ProcessStartInfo(job.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in job.Arguments(output))
        {
            start.ArgumentList.Add(argument);
        }

        var errors = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (errors)
            {
                if (line.Data is not null)
                {
                    errors.AppendLine(line.Data);
                    if (errors.Length > 16384)
                    {
                        errors.Remove(0, errors.Length - 8192);
                    }
                }
            }
        };

        TimeSpan cpuBefore = ChildrenCpuTime();
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string status = $"/proc/{process.Id}/status";
        long peak = 0;
        TimeSpan elapsed = TimeSpan.Zero;
        string? failure = null;
        while (true)
        {
            if (process.WaitForExit(50))
            {
                failure = $"it exited with {process.ExitCode} before its group had committed the end of the topic";
                break;
            }

            peak = Math.Max(peak, HighWaterMark(status));
            if (done())
            {
                elapsed = clock.Elapsed;
                break;
            }

            if (clock.Elapsed > limit)
            {
                failure = $"its group had not committed the end of the topic after {limit.TotalMinutes:F0} minutes";
                break;
            }
        }

        TimeSpan stopStart = clock.Elapsed;
        if (!process.HasExited)
        {
            _ = Kill(process.Id, SignalTerminate);
            while (!process.WaitForExit(50))
            {
                peak = Math.Max(peak, HighWaterMark(status));
                if (clock.Elapsed - stopStart > TimeSpan.FromMinutes(2))
                {
                    process.Kill();
                    failure ??= "it did not exit within 2 minutes of SIGTERM";
                }
            }
        }

        process.WaitForExit();
        TimeSpan stopTime = clock.Elapsed - stopStart;
        if (failure is null && process.ExitCode != 0)
        {
            failure = $"it exited with {process.ExitCode} after SIGTERM";
        }

        TimeSpan cpu = ChildrenCpuTime() - cpuBefore;
        lock (errors)
        {
            return new TopicJobRun(elapsed, stopTime, cpu, peak, failure, errors.ToString());
        }
    }

    private static long HighWaterMark(string statusPath)
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

        return 0;
    }

    private static TimeSpan ChildrenCpuTime()
    {
        const int RusageChildren = -1;
        Span<long> usage = stackalloc long[18];   // struct rusage on 64-bit Linux: two timevals, then 14 longs
        if (!OperatingSystem.IsLinux() || GetResourceUsage(RusageChildren, ref MemoryMarshal.GetReference(usage)) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromMicroseconds(((usage[0] + usage[2]) * 1_000_000) + usage[1] + usage[3]);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, ref long usage);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
