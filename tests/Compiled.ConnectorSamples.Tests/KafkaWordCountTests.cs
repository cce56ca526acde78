using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compiled.EndToEnd.Tests;
using Confluent.Kafka;
using StackExchange.Redis;

namespace Compiled.ConnectorSamples.Tests;

/// <summary>
/// samples/KafkaWordCount against a real Kafka broker and a real redis-server: lines produced to a 4-partition topic
/// while the job, with <c>--checkpoint</c>, is killed with SIGKILL at seeded random moments and restarted, as a
/// machine failure and a supervisor would; at the end the Redis hash holds every word's count over everything produced,
/// each line counted once.
/// </summary>
public sealed class KafkaWordCountTests
{
    private static string Directory => Path.Combine(Repo.Root, "samples", "KafkaWordCount");

    private static string Executable => Path.Combine(Directory, "bin", Repo.Configuration, "net10.0", "KafkaWordCount");

    /// <summary>How many times the job is killed: <c>COMPILED_CRASH_KILLS</c>, or 4.</summary>
    private static int Kills { get; } = int.TryParse(Environment.GetEnvironmentVariable("COMPILED_CRASH_KILLS"), CultureInfo.InvariantCulture, out int kills) ? kills : 4;

    /// <summary>The seed of the kill moments: <c>COMPILED_CRASH_SEED</c>, or a fixed one.</summary>
    private static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("COMPILED_CRASH_SEED"), CultureInfo.InvariantCulture, out int seed) ? seed : 20261205;

    [Fact]
    public async Task Killed_and_restarted_with_a_checkpoint_the_hash_holds_the_counts_of_everything_produced()
    {
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        await using RedisServer redis = await RedisServer.StartAsync();
        await kafka.CreateTopicAsync("lines", partitions: 4);
        using var temp = new TempDirectory();
        string checkpoint = temp.File("checkpoint");
        string[] arguments =
        [
            "--source", $"kafka://{kafka.BootstrapServers}/lines?group=word-count&start=earliest&{KafkaServer.ClientProperties}&session.timeout.ms=6000",
            "--sink", $"redis://{redis.EndPoint}/word-counts?type=hash",
            "--checkpoint", checkpoint,
            "--batch-interval", "200ms",
        ];

        // The book in as many slices as there are runs: one slice is produced while each run goes on.
        string[] lines = File.ReadAllLines(Path.Combine(Repo.Root, "samples", "WordCount", "input", "genesis-kjv.txt"), Encoding.Latin1);
        int slices = Kills + 1;
        var random = new Random(Seed);
        var log = new StringBuilder($"seed {Seed}, {Kills} kills (COMPILED_CRASH_SEED, COMPILED_CRASH_KILLS)\n");
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(kafka.Configure(new ProducerConfig())).Build();
        for (int run = 0; run < slices; run++)
        {
            await using RunningExecutable job = RunningExecutable.Start(Executable, Directory, arguments);
            int from = lines.Length * run / slices;
            int to = lines.Length * (run + 1) / slices;
            for (int i = from; i < to; i++)
            {
                producer.Produce("lines", new Message<Null, byte[]> { Value = Encoding.Latin1.GetBytes(lines[i]) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
            if (run < slices - 1)
            {
                int after = random.Next(300, 3000);
                await Task.Delay(after, TestContext.Current.CancellationToken);
                Assert.False(job.HasExited, $"run {run} ended by itself before it was killed:\n{job.Error}\n{log}");
                await job.KillAsync();
                log.Append(CultureInfo.InvariantCulture, $"run {run}: produced lines {from}..{to}, killed after {after} ms\n");
                continue;
            }

            // The last run: wait until the totals reach the expected counts (or a while passes), stop it with SIGTERM.
            Dictionary<string, long> expected = Reference.WordCounts(File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "WordCount", "input", "genesis-kjv.txt")));
            var waited = Stopwatch.StartNew();
            Dictionary<string, long> actual = await ReadHashAsync(redis);
            while (!Same(expected, actual) && waited.Elapsed < TimeSpan.FromSeconds(90) && !job.HasExited)
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
                actual = await ReadHashAsync(redis);
            }

            // A few batches more: a line counted twice late would show.
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            await job.SignalAsync("TERM");
            int exitCode = await job.WaitForExitAsync(TimeSpan.FromSeconds(30));
            log.Append(CultureInfo.InvariantCulture, $"run {run}: produced lines {from}..{to}, stopped with exit code {exitCode}\n");
            actual = await ReadHashAsync(redis);
            Assert.True(exitCode == 0, $"the last run exited with {exitCode}:\n{job.Error}\n{log}");
            Assert.True(Same(expected, actual), $"the hash differs from the counts of everything produced: {Difference(expected, actual)}\n{log}\nthe last run's log:\n{job.Error}");
        }
    }

    [Fact]
    public async Task The_documented_command_starts_Kafka_and_Redis_counts_the_book_and_prints_the_largest_totals()
    {
        // The script builds the sample, and with it the runtime, as other test processes may be doing.
        (int exitCode, string output, string error) = (0, "", "");
        using (await BuildLock.AcquireAsync())
        {
            (exitCode, output, error) = await ChildProcess.RunAsync(
                "bash", [Path.Combine(Directory, "run.sh")], Repo.Root, TimeSpan.FromMinutes(5));
        }

        Assert.True(exitCode == 0, $"samples/KafkaWordCount/run.sh exited with {exitCode}:\n{output}\n{error}");
        Dictionary<string, long> expected = Reference.WordCounts(File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "WordCount", "input", "genesis-kjv.txt")));
        Assert.Contains($"redis-cli HLEN word-counts: {expected.Count} words", output, StringComparison.Ordinal);
        string[] largest = expected.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10).Select(p => $"{p.Key}\t{p.Value}").ToArray();
        Assert.Equal(largest, output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^10..]);
    }

    private static async Task<Dictionary<string, long>> ReadHashAsync(RedisServer redis)
    {
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        HashEntry[] entries = await connection.GetDatabase().HashGetAllAsync("word-counts");
        return entries.ToDictionary(e => Encoding.Latin1.GetString((byte[])e.Name!), e => (long)e.Value, StringComparer.Ordinal);
    }

    private static bool Same(Dictionary<string, long> expected, Dictionary<string, long> actual) =>
        expected.Count == actual.Count && expected.All(p => actual.TryGetValue(p.Key, out long value) && value == p.Value);

    private static string Difference(Dictionary<string, long> expected, Dictionary<string, long> actual)
    {
        var wrong = expected.Where(p => actual.GetValueOrDefault(p.Key) != p.Value)
            .Select(p => $"{p.Key}: expected {p.Value}, found {actual.GetValueOrDefault(p.Key)}")
            .Concat(actual.Keys.Except(expected.Keys).Select(k => $"{k}: not in the input, found {actual[k]}"))
            .Take(10);
        return $"{expected.Count} words expected, {actual.Count} found; " + string.Join("; ", wrong);
    }
}
