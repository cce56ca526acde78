using Compiled.Hosting;
using Samples.WordCount;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The sample's compiled word count watching a directory, like Spark's textFileStream: files that appear
/// after the start are read once, whole; files already there are not.
/// </summary>
public class WordCountDirectoryTests
{
    [Fact]
    public async Task WordCount_WatchedDirectory_CountsNewFilesOnly()
    {
        using var temp = new TempDirectory();
        string incoming = Path.Combine(temp.Path, "incoming");
        Directory.CreateDirectory(incoming);
        File.WriteAllBytes(Path.Combine(incoming, "before.txt"), Reference.RandomText(seed: 30, lines: 100));

        var options = new PipelineRunOptions { BatchInterval = TimeSpan.FromMilliseconds(100) };
        options.SourceUris["Input"] = $"file://{incoming}/?poll=50ms";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCount.Definition, options);
        using var stop = new CancellationTokenSource();
        Task running = run.RunAsync(stop.Token);

        // Wait until the watcher has taken its first look, so that what follows is "new".
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var expected = new List<Dictionary<string, long>>();
        long bytes = 0;
        for (int file = 0; file < 5; file++)
        {
            byte[] text = Reference.RandomText(seed: 31 + file, lines: 300);
            expected.Add(Reference.WordCounts(text));
            bytes += text.Length;

            // Written aside under a hidden name, then renamed in: the watcher never sees a half-written file.
            string hidden = Path.Combine(incoming, $".part-{file}.tmp");
            File.WriteAllBytes(hidden, text);
            File.Move(hidden, Path.Combine(incoming, $"part-{file}.txt"));
            await Task.Delay(40, TestContext.Current.CancellationToken);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (run.Sources[0].Counters.Bytes < bytes && !running.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(bytes, run.Sources[0].Counters.Bytes);
        Assert.Equal(5, run.Sources[0].Counters.Streams);
        Assert.Equal(FileSinkOutput.Sum(expected), FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values));
    }
}
