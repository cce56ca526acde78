using System.Diagnostics;
using System.Globalization;
using System.Text;
using Samples.LogMonitor;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The LogMonitor executable's <c>--max-endpoints</c>: how it is read (a bad value is a usage error, exit 2), that it
/// bounds the rows printed, and that with the default bound the process's peak memory over a log of 200,000 distinct
/// endpoints stays small.
/// </summary>
public class LogMonitorMaxEndpointsTests
{
    [Theory]
    [InlineData(new[] { "--source", "stdin:" }, 1000, new[] { "--source", "stdin:" })]
    [InlineData(new[] { "--max-endpoints", "50", "--source", "stdin:" }, 50, new[] { "--source", "stdin:" })]
    [InlineData(new[] { "--source", "stdin:", "--max-endpoints=1000000" }, 1_000_000, new[] { "--source", "stdin:" })]
    public void MonitorOptions_MaxEndpoints_IsTakenOutOfTheArguments(string[] args, int expected, string[] rest)
    {
        Assert.Null(MonitorOptions.TryTake(args, out string[] pipelineArgs, out int maxEndpoints));
        Assert.Equal(expected, maxEndpoints);
        Assert.Equal(rest, pipelineArgs);
    }

    [Theory]
    [InlineData(new[] { "--max-endpoints" }, "--max-endpoints needs a value: a whole number of endpoints from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints", "--source", "stdin:" }, "--max-endpoints needs a value: a whole number of endpoints from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints", "0" }, "--max-endpoints '0' is not a whole number from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints", "-5" }, "--max-endpoints '-5' is not a whole number from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints=1e3" }, "--max-endpoints '1e3' is not a whole number from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints", "1000001" }, "--max-endpoints '1000001' is not a whole number from 1 to 1000000")]
    [InlineData(new[] { "--max-endpoints", "5", "--max-endpoints=6" }, "--max-endpoints is given twice ('5' and '6'); give it once")]
    public void MonitorOptions_BadMaxEndpoints_SaysWhatIsWrong(string[] args, string expected)
    {
        Assert.Equal(expected, MonitorOptions.TryTake(args, out _, out _));
    }

    [Fact]
    public async Task LogMonitor_Executable_BadMaxEndpoints_ExitsTwoWithOneLine()
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.LogMonitorExecutable, ["--max-endpoints", "lots"], Repo.LogMonitorDirectory);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal("error: --max-endpoints 'lots' is not a whole number from 1 to 1000000. Run with --help to see the options.", error.TrimEnd());
    }

    [Fact]
    public async Task LogMonitor_Executable_Help_NamesMaxEndpoints()
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(Repo.LogMonitorExecutable, ["--help"], Repo.LogMonitorDirectory);

        Assert.Equal(0, exitCode);
        Assert.Contains("--batch-interval", output, StringComparison.Ordinal);
        Assert.Contains(MonitorOptions.Help, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogMonitor_Executable_MaxEndpoints_BoundsTheRowsPrinted()
    {
        using var temp = new TempDirectory();
        string log = WriteDistinctEndpointsLog(temp, 5000);
        var (exitCode, _, error) = await ChildProcess.RunAsync(Repo.LogMonitorExecutable, ["--max-endpoints", "10", "--source", "file://" + log, "--sink", $"file://{temp.Path}/out/rows?suffix=txt"], Repo.LogMonitorDirectory);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        string[] rows = LastTable(temp);
        Assert.Equal(11, rows.Length);
        Assert.Equal(4990, LogMonitorRows.Parse(Assert.Single(rows, row => row.StartsWith(LogMonitorRows.OtherLabel, StringComparison.Ordinal))).Requests);
    }

    [Fact]
    public async Task LogMonitor_Executable_200kDistinctEndpoints_PeakMemoryStaysBounded()
    {
        // Before the bound, each of these endpoints cost about 4 KB in the window's table and again in its batch's:
        // the process peaked near 2.8 GB. With it, the window holds 1,000 endpoints and (other), and the peak is the
        // runtime's and the read buffers' plus a few megabytes.
        using var temp = new TempDirectory();
        string log = WriteDistinctEndpointsLog(temp, 200_000);
        var start = new ProcessStartInfo(Repo.LogMonitorExecutable)
        {
            WorkingDirectory = Repo.LogMonitorDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["--source", "file://" + log, "--sink", $"file://{temp.Path}/out/rows?suffix=txt", "--log-level", "warning"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task exited = process.WaitForExitAsync(TestContext.Current.CancellationToken);

        // The kernel keeps the peak resident set (VmHWM); read it until the process ends.
        long peak = 0;
        while (!exited.IsCompleted)
        {
            try
            {
                process.Refresh();
                peak = Math.Max(peak, process.PeakWorkingSet64);
            }
            catch (InvalidOperationException)
            {
                // It ended between the check and the read.
            }

            await Task.WhenAny(exited, Task.Delay(10, TestContext.Current.CancellationToken));
        }

        await exited;
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; standard error:\n{await error}");
        Assert.Equal("", await output);
        Assert.True(peak > 0, "The process ended before its memory could be read.");
        const long Bound = 400L << 20;
        Assert.True(peak < Bound, $"The monitor peaked at {peak >> 20} MB over 200,000 distinct endpoints, more than {Bound >> 20} MB.");
        string[] rows = LastTable(temp);
        Assert.Equal(LogMonitor.DefaultMaxEndpoints + 1, rows.Length);
        Assert.Equal(200_000, rows.Select(LogMonitorRows.Parse).Sum(row => row.Requests));
    }

    // A log of 'count' requests, each to an endpoint of its own whose path holds no id.
    private static string WriteDistinctEndpointsLog(TempDirectory temp, int count)
    {
        string path = temp.File("access.log");
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append(AccessLogLines.Line("GET", "/wiki/page-" + AccessLogLines.Word(i), 200, 1000 + (i % 100))).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    // The rows of the last file the file sink wrote: the window over the whole log (it is read in well under 10 s).
    private static string[] LastTable(TempDirectory temp)
    {
        string last = System.IO.Directory.GetFiles(Path.Combine(temp.Path, "out"), "rows-*.txt").Order(StringComparer.Ordinal).Last();
        return [.. File.ReadAllLines(last, Encoding.UTF8).Where(line => line.Length > 0)];
    }
}
