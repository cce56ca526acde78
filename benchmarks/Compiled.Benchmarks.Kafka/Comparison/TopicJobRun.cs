using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Compiled.Benchmarks.EndToEnd.Harness;

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

        TimeSpan cpuBefore = MeasuredProcess.ChildrenCpuTime();
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

            peak = Math.Max(peak, MeasuredProcess.ReadHighWaterMark(status));
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
                peak = Math.Max(peak, MeasuredProcess.ReadHighWaterMark(status));
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

        TimeSpan cpu = MeasuredProcess.ChildrenCpuTime() - cpuBefore;
        lock (errors)
        {
            return new TopicJobRun(elapsed, stopTime, cpu, peak, failure, errors.ToString());
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
