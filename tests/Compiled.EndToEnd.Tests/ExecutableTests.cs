using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>The sample as a user runs it: its executable, its command line, its exit codes, its signals.</summary>
public class ExecutableTests
{
    [Fact]
    public async Task WordCount_Executable_DefaultInputMatchesReferenceCounts()
    {
        // Run from elsewhere: the bundled book is found next to the executable.
        using var temp = new TempDirectory();
        var (exitCode, _, error) = await ChildProcess.RunAsync(Repo.WordCountExecutable, ["--sink", $"file://{temp.Path}/out/counts?suffix=txt"], temp.Path);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        var counts = FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values);
        Assert.Equal(Reference.WordCounts(File.ReadAllBytes(Repo.BundledBook)), counts);
    }

    [Fact]
    public async Task WordCount_Executable_NoArgumentsPrintsBatchesToStandardOutput()
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.WordCountExecutable, [], Repo.WordCountDirectory);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        string[] lines = output.Split('\n');
        Assert.Equal("-------------------------------------------", lines[0]);
        Assert.Matches(@"^Time: \d+000 ms$", lines[1]);
        // The book's first word is the first record printed; the first batch may be empty, had its second ended before the book was read.
        Assert.StartsWith("(The,", lines.First(l => l.StartsWith('(')), StringComparison.Ordinal);

        // Standard output holds only the sink's records; the logs went to standard error.
        Assert.DoesNotContain("info:", output, StringComparison.Ordinal);
        Assert.Contains("Pipeline WordCount starting", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--source", "kafk://localhost:9092" }, "source URI 'kafk://localhost:9092' has an unknown scheme 'kafk'; use one of:")]
    [InlineData(new[] { "--batch-interval", "5x" }, "--batch-interval '5x' is not a duration; write a number and a unit (ms, s, m or h), e.g. 500ms, 1s, 2m")]
    [InlineData(new[] { "--sink", "Results=console" }, "--sink Results=console: this pipeline has no sink named 'Results'; its sinks are Output")]
    [InlineData(new[] { "--source", "tcp://localhost" }, "tcp")]
    [InlineData(new[] { "--bogus" }, "error: Unrecognized command or argument '--bogus'. Run with --help")]
    public async Task WordCount_Executable_BadArgumentExitsWithUsageError(string[] arguments, string message)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.WordCountExecutable, arguments, Repo.WordCountDirectory);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.EndsWith("Run with --help to see the options.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_HelpListsSourcesAndSinksWithDefaults()
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(Repo.WordCountExecutable, ["--help"], Repo.WordCountDirectory);

        Assert.Equal(0, exitCode);
        Assert.Contains("Input (lines)  default: file:input/genesis-kjv.txt", output, StringComparison.Ordinal);
        Assert.Contains("Output (ReadOnlySpan<byte> word, long count)  default: console", output, StringComparison.Ordinal);
        Assert.Contains("--batch-interval", output, StringComparison.Ordinal);
        Assert.Contains("tcp://host:port", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_StdinEndsTheJobAfterItsLastBatch()
    {
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed: 40, lines: 3_000);
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable, ["--source", "stdin:", "--sink", $"file://{temp.Path}/out/counts?suffix=txt"], temp.Path, input: text);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Equal(Reference.WordCounts(text), FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
    }

    [Fact]
    public async Task WordCount_Executable_FailureExitsOneWithTheCause()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("input.txt"), "fine\n" + new string('x', 5000) + "\n");
        var (exitCode, output, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable, ["--source", $"file://{temp.File("input.txt")}?maxRecordBytes=1000"], temp.Path);

        Assert.Equal(1, exitCode);
        string failedBatch = System.Text.RegularExpressions.Regex.Match(error, @"error: Pipeline 'WordCount' failed in batch (\d+) ms").Groups[1].Value;
        Assert.NotEqual("", failedBatch);

        // The failed batch printed nothing; a batch whose time ended before the file was read may have printed before it.
        Assert.DoesNotContain($"Time: {failedBatch} ms", output, StringComparison.Ordinal);
        Assert.Contains($"The record of '{temp.File("input.txt")}' that starts at byte offset 5 is longer than the maximum of 1000 bytes.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task WordCount_Executable_StopSignalFlushesTheLastBatchAndExitsZero(string signal)
    {
        // The test plays `nc -lk`: the executable connects, reads, and is stopped by the signal.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // Short batches; a stop commits the batch in flight at once.
        await using var child = RunningExecutable.Start(["--source", $"tcp://127.0.0.1:{port}", "--batch-interval", "2s", "--log-level", "trace"]);
        Task<string> output = child.ReadStandardOutputToEndAsync();
        using TcpClient connection = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        byte[] text = Encoding.UTF8.GetBytes("to be or not to be\nthat is the question\n");
        await connection.GetStream().WriteAsync(text, TestContext.Current.CancellationToken);

        // Wait until the pipeline has consumed every byte (its trace log says so), then interrupt it.
        await child.WaitForErrorAsync($" {text.Length} bytes consumed in all");

        // SIGINT is what Ctrl+C sends; SIGTERM is what a service manager or container runtime sends.
        await child.SignalAsync(signal);
        int exited = await child.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exited == 0, $"exit code {exited}; standard error:\n{child.Error}");
        // Whichever batches the text fell into, the last one included, every word was printed and counted.
        string printed = await output;
        Assert.StartsWith("-------------------------------------------\nTime: ", printed, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", printed, StringComparison.Ordinal);
        var counts = FileSinkOutput.Sum(printed.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(batch => FileSinkOutput.ParsePairs(Encoding.UTF8.GetBytes(string.Join('\n', batch.Split('\n').Where(l => l.StartsWith('(')))))));
        Assert.Equal(new Dictionary<string, long> { ["to"] = 2, ["be"] = 2, ["or"] = 1, ["not"] = 1, ["that"] = 1, ["is"] = 1, ["the"] = 1, ["question"] = 1 }, counts);
    }
}
