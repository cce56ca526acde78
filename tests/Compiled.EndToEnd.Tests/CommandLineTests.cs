namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The executable's command line refuses what it cannot run: an option without its value, a batch interval out of
/// range. Exit code 2, nothing on standard output, and one line on standard error that says what to write.
/// </summary>
public class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "--source" }, "error: --source needs a value after it: a URI, or NAME=URI, e.g. --source tcp://host:port")]
    [InlineData(new[] { "--sink" }, "error: --sink needs a value after it: a URI, or NAME=URI, e.g. --sink console")]
    [InlineData(new[] { "--source", "--sink", "console" }, "error: --source needs a value after it")]
    [InlineData(new[] { "--batch-interval", "0" }, "error: --batch-interval '0' is not positive; give from 1ms to 4294967294ms (about 49.7 days, the longest a timer waits)")]
    [InlineData(new[] { "--batch-interval", "-5s" }, "error: --batch-interval '-5s' is negative; give from 1ms to 4294967294ms")]
    [InlineData(new[] { "--batch-interval", "100000h" }, "error: --batch-interval '100000h' is too long; give from 1ms to 4294967294ms (about 49.7 days, the longest a timer waits), e.g. 1193h")]
    public async Task WordCount_Executable_MissingOrOutOfRangeValue_ExitsWithUsageError(string[] arguments, string message)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.WordCountExecutable, arguments, Repo.WordCountDirectory);

        Assert.True(exitCode == 2, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(message, line, StringComparison.Ordinal);
        Assert.EndsWith("Run with --help to see the options.", line, StringComparison.Ordinal);
    }
}
