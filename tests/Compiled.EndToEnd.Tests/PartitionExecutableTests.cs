namespace Compiled.EndToEnd.Tests;

/// <summary>
/// <c>--parallelism N</c> as a user types it: the sample word count over a multi-megabyte file on 2 and 3 partitions
/// counts exactly what it counts on one; the stateful word count, whose state is kept at the batch boundary below its
/// reduce, is split too, and so is its running count kept record by record; a bad number is refused; <c>--help</c>
/// documents the option.
/// </summary>
public class PartitionExecutableTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WordCount_Executable_OnNPartitions_CountsWhatOnePartitionCounts(int partitions)
    {
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed: 60 + partitions, lines: 400_000);
        Assert.True(text.Length > 4_000_000, $"The input is {text.Length} bytes; the test wants several megabytes.");
        File.WriteAllBytes(temp.File("input.txt"), text);

        var (exitCode, _, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable,
            ["--source", "file://" + temp.File("input.txt"), "--sink", $"file://{temp.Path}/out/counts?suffix=txt", "--batch-interval", "10m", "--parallelism", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            temp.Path);

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Contains($"runs on {partitions} partitions", error, StringComparison.Ordinal);
        Assert.Equal(Reference.WordCounts(text), FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
    }

    [Fact]
    public async Task StatefulWordCount_Executable_OnTwoPartitions_TotalsWhatOnePartitionTotals()
    {
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed: 70, lines: 50_000);
        File.WriteAllBytes(temp.File("input.txt"), text);
        var totals = new List<Dictionary<string, long>>();
        foreach (string partitions in new[] { "1", "2" })
        {
            string output = Path.Combine(temp.Path, "out" + partitions);
            var (exitCode, _, error) = await ChildProcess.RunAsync(
                Repo.StatefulWordCountExecutable,
                ["--source", "file://" + temp.File("input.txt"), "--sink", $"file://{output}/totals?suffix=txt", "--batch-interval", "10m", "--parallelism", partitions],
                temp.Path);

            Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
            Assert.Equal(partitions == "2", error.Contains("runs on 2 partitions", StringComparison.Ordinal));
            totals.Add(FileSinkOutput.Sum(FileSinkOutput.Batches(output, "totals").Values));
        }

        Assert.NotEmpty(totals[0]);
        Assert.Equal(totals[0], totals[1]);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    public async Task RunningWordCount_Executable_OnNPartitions_WritesEachWordsMilestonesAsOnePartition(string partitions)
    {
        // [MapWithState] fed per record, in one batch, its state in shards: each word's counts as they reach 1, 10,
        // 100 ..., as one partition writes them; the words come shard by shard.
        using var temp = new TempDirectory();
        byte[] text = Reference.RandomText(seed: 71, lines: 200_000);
        File.WriteAllBytes(temp.File("input.txt"), text);
        var written = new List<SortedDictionary<string, List<string>>>();
        foreach (string count in new[] { "1", partitions })
        {
            string output = Path.Combine(temp.Path, "out" + count);
            var (exitCode, _, error) = await ChildProcess.RunAsync(
                Repo.StatefulWordCountExecutable,
                ["running", "--source", "file://" + temp.File("input.txt"), "--sink", $"file://{output}/milestones?suffix=txt", "--batch-interval", "10m", "--parallelism", count],
                temp.Path);

            Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
            Assert.Equal(count != "1", error.Contains($"runs on {count} partitions", StringComparison.Ordinal));
            // Each "(word,count)" line under its word, in the order written.
            var words = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string line in Directory.GetFiles(output, "milestones-*.txt").Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines))
            {
                string word = line[1..line.LastIndexOf(',')];
                if (!words.TryGetValue(word, out List<string>? lines))
                {
                    words[word] = lines = [];
                }

                lines.Add(line);
            }

            written.Add(words);
        }

        Assert.Contains(written[0].Values.SelectMany(lines => lines), line => line.EndsWith(",100)", StringComparison.Ordinal));
        Assert.Equal(written[0], written[1]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("two")]
    [InlineData("257")]
    public async Task WordCount_Executable_ParallelismNotANumberOfPartitions_IsAUsageError(string value)
    {
        var (exitCode, output, error) = await ChildProcess.RunAsync(Repo.WordCountExecutable, ["--parallelism", value], Repo.WordCountDirectory);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains($"--parallelism '{value}' is not a number of partitions; give a whole number from 1 to 256", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WordCount_Executable_HelpDocumentsParallelism()
    {
        var (exitCode, output, _) = await ChildProcess.RunAsync(Repo.WordCountExecutable, ["--help"], Repo.WordCountDirectory);

        Assert.Equal(0, exitCode);
        Assert.Contains("--parallelism", output, StringComparison.Ordinal);
        Assert.Contains("Default: 1", output, StringComparison.Ordinal);
        Assert.Contains("This pipeline can run on N partitions", output, StringComparison.Ordinal);
    }
}
