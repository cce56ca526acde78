using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>What one run of a job's process took: wall time from start to exit, peak resident memory, exit code.</summary>
internal readonly record struct ProcessMeasure(TimeSpan Elapsed, long PeakRssBytes, int ExitCode, string ErrorTail);

/// <summary>
/// Runs one process to its end and measures it: the wall time from <see cref="Process.Start()"/> to its exit, seen by a
/// thread that does nothing but wait for it, and its peak resident set (<c>VmHWM</c> of <c>/proc/PID/status</c>, the
/// kernel's high-water mark, read every 10 ms while it runs; the last reading before the exit is kept).
/// </summary>
internal static class MeasuredProcess
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>; its output is read and dropped, the end of its standard error kept.</summary>
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

        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
            {
                start.Environment[name] = value;
            }
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

        process.WaitForExit();   // the redirected streams drained
        lock (errors)
        {
            return new ProcessMeasure(elapsed, peak, process.ExitCode, errors.ToString());
        }
    }

    // VmHWM in bytes, or 0 once the process is gone.
    private static long ReadHighWaterMark(string statusPath)
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
