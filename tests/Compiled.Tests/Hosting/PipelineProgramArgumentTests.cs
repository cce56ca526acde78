using Compiled.Hosting;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Hosting;

/// <summary>
/// The command line's refusals: an option given without its value, and a batch interval out of range, end with
/// exit code 2 and one line that says what was wrong and what to write, before anything runs.
/// </summary>
public class PipelineProgramArgumentTests
{
    [Theory]
    [InlineData(new[] { "--source" }, "--source needs a value")]
    [InlineData(new[] { "--sink" }, "--sink needs a value")]
    [InlineData(new[] { "--source", "--sink", "console" }, "--source needs a value")]
    [InlineData(new[] { "--sink", "console", "--sink" }, "--sink needs a value")]
    [InlineData(new[] { "--source", "stdin:", "--source" }, "--source needs a value")]
    public async Task PipelineProgram_OptionWithoutValue_IsAUsageError(string[] arguments, string message)
    {
        (int exitCode, string line) = await RunAsync(arguments);

        Assert.Equal(PipelineProgram.ExitUsage, exitCode);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Contains("e.g. --", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "--batch-interval '0' is not positive; give from 1ms to 4294967294ms")]
    [InlineData("0s", "--batch-interval '0s' is not positive; give from 1ms to 4294967294ms")]
    [InlineData("-5s", "--batch-interval '-5s' is negative; give from 1ms to 4294967294ms")]
    [InlineData("100000h", "--batch-interval '100000h' is too long; give from 1ms to 4294967294ms (about 49.7 days, the longest a timer waits), e.g. 1193h")]
    [InlineData("1.5ms", "--batch-interval '1.5ms' is not a whole number of milliseconds; give from 1ms to 4294967294ms")]
    [InlineData("5x", "--batch-interval '5x' is not a duration; write a number and a unit (ms, s, m or h), e.g. 500ms, 1s, 2m")]
    public async Task PipelineProgram_BatchIntervalOutOfRange_SaysWhatIsWrongAndTheRange(string interval, string message)
    {
        (int exitCode, string line) = await RunAsync(["--batch-interval", interval]);

        Assert.Equal(PipelineProgram.ExitUsage, exitCode);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineRun_IntervalLongerThanATimerWaits_IsABatchIntervalErrorWithTheRange()
    {
        // A declared [Pipeline(BatchInterval)] reaches the run without the command line's check: the run refuses it
        // as a bad batch interval (exit code 2 from the command line), not with a timer's exception in its first batch.
        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromHours(2000) };
        var error = Assert.Throws<BatchIntervalException>(() => new PipelineRun(WordCountPipeline.Definition, options));
        Assert.Contains("the batch interval 2000h is too long; give from 1ms to 4294967294ms", error.Message, StringComparison.Ordinal);
    }

    // Runs the word count's command line on empty standard input, discarding its output; returns the exit code and
    // the one line written to standard error (logs are off).
    private static async Task<(int ExitCode, string Line)> RunAsync(string[] arguments)
    {
        var error = new StringWriter();
        int exitCode = await PipelineProgram.RunAsync(
            WordCountPipeline.Definition,
            [.. arguments, "--log-level", "none"],
            error,
            options =>
            {
                options.OpenStandardInput = () => Stream.Null;
                options.OpenStandardOutput = () => Stream.Null;
            });
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (exitCode, lines.Length == 0 ? "" : Assert.Single(lines).TrimEnd('\r'));
    }
}
