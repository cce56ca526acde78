using Compiled.Internal;
using Compiled.Tests.Connectors;
using Compiled.Tests.Keys;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting;

/// <summary>
/// <see cref="PipelineRunOptions.MaxBatchBytes"/> (<c>--max-batch-bytes</c>): a batch that has read that many bytes ends
/// before its interval is up, so a file replayed in one interval comes in many batches of about that size, on one
/// partition and on several, and together they give what one batch gives.
/// </summary>
public class MaxBatchBytesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AFileReadInOneInterval_ComesInBatchesOfAtMostTheBound_WhichTogetherGiveWhatOneBatchGives(int partitions)
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("words.txt");
        File.WriteAllBytes(input, RandomText(seed: 5, bytes: 4 << 20));

        Result whole = await RunAsync(WordSums.Definition, input, temp.Combine("whole"), partitions);
        Result bounded = await RunAsync(WordSums.Definition, input, temp.Combine("bounded"), partitions, configure: options => options.MaxBatchBytes = 512 << 10);

        // Without a bound the fake clock never makes a batch due: the file is one batch. With 512 KiB, at least 4 MiB ÷
        // (512 KiB and one read of 256 KiB) batches, at most one more than 4 MiB ÷ 512 KiB per partition's share.
        Assert.Single(Directory.GetFiles(temp.Combine("whole"), "Sums-*.txt"));
        int batches = Directory.GetFiles(temp.Combine("bounded"), "Sums-*.txt").Length;
        Assert.InRange(batches, 5, 10);
        Assert.Equal(Sums(whole.Sinks["Sums"]), Sums(bounded.Sinks["Sums"]));
        Assert.Equal(whole.Bytes, bounded.Bytes);
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("1gib", 1L << 30)]
    [InlineData(" 2 MiB ", 2L << 20)]
    public void ASize_ReadsAsBytes(string text, long bytes)
    {
        Assert.True(ByteSizeText.TryParse(text, out long read));
        Assert.Equal(bytes, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("64MB")]
    [InlineData("lots")]
    [InlineData("99999999999GiB")]
    public void ANonSize_IsRefused(string text) => Assert.False(ByteSizeText.TryParse(text, out _));

    [Fact]
    public async Task TheCommandLine_MaxBatchBytes_CutsAFileIntoBatches()
    {
        using var temp = new TempDirectory();
        string input = temp.Combine("words.txt");
        File.WriteAllBytes(input, RandomText(seed: 6, bytes: 2 << 20));
        string output = temp.Combine("out");

        int exit = await Compiled.Hosting.PipelineProgram.RunAsync(
            WordSums.Definition,
            ["--source", "file://" + input, "--sink", $"file://{output}/Sums?suffix=txt", "--batch-interval", "10m", "--parallelism", "1", "--max-batch-bytes", "512KiB", "--log-level", "warning"],
            TextWriter.Null,
            configure: null);

        Assert.Equal(0, exit);
        Assert.InRange(Directory.GetFiles(output, "Sums-*.txt").Length, 3, 5);
    }

    [Fact]
    public async Task TheCommandLine_RefusesANonSize_SayingWhatToWrite()
    {
        var error = new StringWriter();
        int exit = await Compiled.Hosting.PipelineProgram.RunAsync(WordSums.Definition, ["--source", "file:///nowhere", "--sink", "console", "--max-batch-bytes", "64MB"], error, configure: null);
        Assert.NotEqual(0, exit);
        Assert.Contains("--max-batch-bytes '64MB' is not a size; give a number of bytes, or of KiB, MiB or GiB, at least 1, e.g. --max-batch-bytes 64MiB", error.ToString(), StringComparison.Ordinal);
    }
}
