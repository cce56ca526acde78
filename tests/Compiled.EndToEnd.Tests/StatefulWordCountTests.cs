using Compiled.Testing;
using Samples.StatefulWordCount;

namespace Compiled.EndToEnd.Tests;

/// <summary>The stateful word count: running totals per word across batches, each batch printing the words it saw with their new totals.</summary>
public class StatefulWordCountTests
{
    [Fact]
    public void StatefulWordCount_EachBatchPrintsTheWordsItSawWithTheirTotalsSoFar()
    {
        using var test = new StatefulWordCount.TestDriver();
        test.Input.Batch("a b a", "b c").Batch().Batch("c c", "a").Batch("d");
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, [("a", 2), ("b", 2), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(2000, []),
                new OutputBatch<(string Key, long Value)>(3000, [("c", 3), ("a", 3)]),
                new OutputBatch<(string Key, long Value)>(4000, [("d", 1)]),
            ],
            test.Output.Batches);
        Assert.Equal([("a", 3), ("b", 2), ("c", 3), ("d", 1)], test.Total.Snapshots[3].Records);
    }

    [Fact]
    public async Task StatefulWordCount_Executable_LastTotalOfEachWordIsItsCountInTheWholeInput()
    {
        // The book fed over standard input in four pieces, 300 ms apart, a batch every 100 ms: words come back in later
        // batches, and their totals must carry on from the earlier ones.
        using var temp = new TempDirectory();
        byte[] book = File.ReadAllBytes(Repo.BundledBook);
        string[] lines = File.ReadAllLines(Repo.BundledBook);
        var parts = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            string part = Path.Combine(temp.Path, $"part{i}.txt");
            File.WriteAllLines(part, lines[(lines.Length * i / 4)..(lines.Length * (i + 1) / 4)]);
            parts.Add(part);
        }

        string output = Path.Combine(temp.Path, "out");
        var (exitCode, _, error) = await ChildProcess.RunAsync(
            "/bin/sh",
            ["-c", $"for p in \"$@\"; do cat \"$p\"; sleep 0.3; done | \"$0\" --source stdin: --sink 'file://{output}/totals?suffix=txt' --batch-interval 100ms", Repo.StatefulWordCountExecutable, .. parts],
            temp.Path);
        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");

        // The last total printed for each word, batch after batch.
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        int updates = 0;
        foreach (Dictionary<string, long> batch in FileSinkOutput.Batches(output, "totals").Values)
        {
            foreach ((string word, long total) in batch)
            {
                Assert.True(total > last.GetValueOrDefault(word), $"the total of '{word}' went from {last.GetValueOrDefault(word)} to {total}");
                last[word] = total;
                updates++;
            }
        }

        Assert.Equal(Reference.WordCounts(book), last);
        Assert.True(updates > last.Count, "no word came back in a later batch: the pieces were read as one batch");
    }
}
