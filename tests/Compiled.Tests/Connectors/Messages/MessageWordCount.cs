using Compiled.Hosting;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// The word count over a message source (<c>memq:</c>, <c>memparts:</c>) run to its end on a fake clock, into files:
/// what the tests of message sources on partitions compare one partition's run with.
/// </summary>
internal static class MessageWordCount
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    /// <summary>
    /// Runs the word count over <paramref name="uri"/> on <paramref name="parallelism"/> partitions (null: left to its
    /// default); returns the counts written (sorted), the run's source, and its log (Debug lines too when
    /// <paramref name="logDebug"/>).
    /// </summary>
    public static async Task<(string[] Counts, TSource Source, string Log)> RunAsync<TSource>(string uri, int? parallelism, bool logDebug = false)
        where TSource : Compiled.Connectors.Source
    {
        using var temp = new TempDirectory();
        using var logs = new CapturingLoggerProvider();
        var clock = new FakeTimeProvider(Start);
        var options = new PipelineRunOptions { TimeProvider = clock, LoggerFactory = logs.CreateFactory() };
        if (parallelism is int given)
        {
            options.Parallelism = given;
        }

        options.SourceUris["Input"] = uri;
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        await using var run = new PipelineRun(WordCountPipeline.Definition, options);
        await run.RunToEndAsync(clock);

        var source = Assert.IsType<TSource>(run.Sources[0]);
        string[] counts = [.. Directory.GetFiles(Path.Combine(temp.Path, "out")).SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal)];
        string logged = string.Join("\n", logs.Lines.Where(line => logDebug || line.Level >= LogLevel.Information).Select(static line => line.Message));
        return (counts, source, logged);
    }
}
