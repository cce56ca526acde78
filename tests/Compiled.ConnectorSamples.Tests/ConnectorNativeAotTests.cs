using System.Text;
using Compiled.EndToEnd.Tests;
using Confluent.Kafka;
using Npgsql;
using StackExchange.Redis;

namespace Compiled.ConnectorSamples.Tests;

/// <summary>
/// The connector samples publish as Native AOT binaries, and the binaries work against the real servers: the Kafka
/// source and the Redis sink (KafkaWordCount), and the PostgreSQL sink (EndpointTotals). The one warning allowed is
/// Confluent.Kafka's own (IL2104), which Compiled.Kafka makes safe by keeping librdkafka's bindings.
/// </summary>
public sealed class ConnectorNativeAotTests
{
    [Fact]
    public async Task KafkaWordCount_published_with_Native_AOT_reads_Kafka_and_writes_Redis()
    {
        using var temp = new TempDirectory();
        string binary = await PublishAsync("KafkaWordCount", temp, allowedWarning: "IL2104: Assembly 'Confluent.Kafka' produced trim warnings");
        await using KafkaServer kafka = await KafkaServer.StartAsync();
        await using RedisServer redis = await RedisServer.StartAsync();
        await kafka.CreateTopicAsync("lines", partitions: 2);
        using (IProducer<Null, string> producer = new ProducerBuilder<Null, string>(kafka.Configure(new ProducerConfig())).Build())
        {
            foreach (string line in (string[])["to be or not to be", "that is the question", "to be"])
            {
                producer.Produce("lines", new Message<Null, string> { Value = line });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        await using RunningExecutable job = RunningExecutable.Start(binary, temp.Path,
        [
            "--source", $"kafka://{kafka.BootstrapServers}/lines?group=aot&start=earliest&{KafkaServer.ClientProperties}&session.timeout.ms=6000",
            "--sink", $"redis://{redis.EndPoint}/word-counts",
            "--batch-interval", "200ms",
        ]);
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        var expected = new Dictionary<string, long> { ["to"] = 3, ["be"] = 3, ["or"] = 1, ["not"] = 1, ["that"] = 1, ["is"] = 1, ["the"] = 1, ["question"] = 1 };
        Dictionary<string, long> actual = [];
        DateTime giveUp = DateTime.UtcNow.AddSeconds(90);
        while (!expected.OrderBy(p => p.Key).SequenceEqual(actual.OrderBy(p => p.Key)) && DateTime.UtcNow < giveUp && !job.HasExited)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            HashEntry[] entries = await client.GetDatabase().HashGetAllAsync("word-counts");
            actual = entries.ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        }

        Assert.True(expected.OrderBy(p => p.Key).SequenceEqual(actual.OrderBy(p => p.Key)),
            $"the hash holds {string.Join(", ", actual.Select(p => $"{p.Key}={p.Value}"))}; the job's log:\n{job.Error}");
        await job.SignalAsync("TERM");
        Assert.Equal(0, await job.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task EndpointTotals_published_with_Native_AOT_upserts_into_PostgreSQL()
    {
        using var temp = new TempDirectory();
        string binary = await PublishAsync("EndpointTotals", temp, allowedWarning: null);
        await using PostgresServer postgres = await PostgresServer.StartNewAsync();

        (int exitCode, _, string error) = await ChildProcess.RunAsync(binary,
            ["--sink", postgres.SinkUri("postgres", "endpoint_requests", "valueType=bigint")], Path.GetDirectoryName(binary));

        Assert.True(exitCode == 0, $"the native EndpointTotals exited with {exitCode}:\n{error}");
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*), sum(value) FROM endpoint_requests", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        int lines = File.ReadAllLines(Path.Combine(Repo.Root, "samples", "LogMonitor", "input", "access.log")).Length;
        Assert.Equal((12L, (decimal)lines), (reader.GetInt64(0), reader.GetDecimal(1)));
    }

    // Publishes samples/NAME for linux-x64 with Native AOT (one publish at a time across the test processes) and
    // returns the binary; fails on any warning but the allowed one.
    private static async Task<string> PublishAsync(string name, TempDirectory temp, string? allowedWarning)
    {
        string publish = Path.Combine(temp.Path, "publish-" + name);
        using (await BuildLock.AcquireAsync())
        {
            (int exitCode, string output, string error) = await ChildProcess.RunAsync(
                "dotnet",
                ["publish", Path.Combine(Repo.Root, "samples", name, name + ".csproj"), "-c", "Release", "-r", "linux-x64", "-o", publish, "-nologo"],
                Repo.Root,
                TimeSpan.FromMinutes(15));
            Assert.True(exitCode == 0, $"dotnet publish of {name} failed ({exitCode}):\n{output}\n{error}");
            string[] warnings = [.. (output + error).Split('\n')
                .Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase))
                .Where(l => allowedWarning is null || !l.Contains(allowedWarning, StringComparison.Ordinal))
                .Distinct()];
            Assert.True(warnings.Length == 0, $"dotnet publish of {name} warned:\n" + string.Join('\n', warnings));
        }

        string binary = Path.Combine(publish, name);
        Assert.True(File.Exists(binary), "no native binary at " + binary);
        Assert.False(File.Exists(Path.Combine(publish, name + ".dll")), "the publish output holds IL, not a native binary");
        return binary;
    }
}
