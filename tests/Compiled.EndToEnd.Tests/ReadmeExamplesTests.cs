using Compiled.Testing;
using Samples.WordCount;

namespace Compiled.EndToEnd.Tests;

/// <summary>The README's examples, as written there, run against the sample.</summary>
public class ReadmeExamplesTests
{
    [Fact]
    public void Readme_TestingAPipeline()
    {
        using var test = new WordCount.TestDriver();
        test.Input.Batch("a b a", "b c").Batch().Batch("c");
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(string Key, long Value)>(1000, [("a", 2), ("b", 2), ("c", 1)]),
                new OutputBatch<(string Key, long Value)>(2000, []),
                new OutputBatch<(string Key, long Value)>(3000, [("c", 1)]),
            ],
            test.Output.Batches);

        // The README shows this block verbatim; if the README changes, this test must change with it.
        string readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        Assert.Contains("""
            using var test = new WordCount.TestDriver();
            test.Input.Batch("a b a", "b c").Batch().Batch("c");
            test.Run();
            """.Replace("\r\n", "\n"), readme, StringComparison.Ordinal);
    }
}
