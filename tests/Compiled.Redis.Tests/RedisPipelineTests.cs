using Compiled.Hosting;

namespace Compiled.Redis.Tests;

/// <summary>
/// Spark's stateful word count compiled, its totals written to a Redis hash. The <c>Default</c> URI is a
/// <c>redis://</c> one, which the generator accepts because this project references Compiled.Redis (whose assembly
/// declares the scheme); the run is pointed at the test's server with <c>--sink</c>.
/// </summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class RedisWordCount
{
    /// <summary>Lines of a file.</summary>
    [Source(Default = "file:input.txt")]
    public static partial Lines Input();

    /// <summary>The words of a line.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word's count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Each word's total over every batch so far.</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>HSET wordcount word total.</summary>
    [Sink(Default = "redis://127.0.0.1:6379/wordcount?type=hash")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}

/// <summary>The compiled word count writing through <c>--sink redis://...</c> to a real server.</summary>
public sealed class RedisPipelineTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task WordCount_SinkRedisUri_HashHoldsEveryWordsTotal()
    {
        string directory = Path.Combine(Path.GetTempPath(), "compiled-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            var lines = Enumerable.Range(0, 2000).Select(i => $"w{i % 97} w{i % 13} common w{i % 389}").ToArray();
            string input = Path.Combine(directory, "input.txt");
            await File.WriteAllLinesAsync(input, lines, TestContext.Current.CancellationToken);
            string key = RedisTest.UniqueKey("wordcount");
            var errors = new StringWriter();

            int exit = await PipelineProgram.RunAsync(
                RedisWordCount.Definition,
                ["--source", "file://" + input, "--sink", $"redis://{redis.EndPoint}/{key}?type=hash", "--log-level", "warning"],
                errors,
                configure: null);

            Assert.True(exit == 0, $"The job exited {exit}: {errors}");
            Dictionary<string, long> expected = lines
                .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .GroupBy(word => word, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => (long)group.Count(), StringComparer.Ordinal);
            Assert.Equal(expected, await RedisTest.ReadHashAsync(redis.Database, key));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo_ListingTheRedisOptions()
    {
        var errors = new StringWriter();

        int exit = await PipelineProgram.RunAsync(
            RedisWordCount.Definition,
            ["--source", "stdin:", "--sink", $"redis://{redis.EndPoint}/k?typ=hash"],
            errors,
            configure: null);

        Assert.Equal(2, exit);
        Assert.Contains("unknown option 'typ'", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("retryFor", errors.ToString(), StringComparison.Ordinal);
    }
}
