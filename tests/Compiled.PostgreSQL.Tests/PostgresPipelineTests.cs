using Compiled.Connectors;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.PostgreSQL.Tests;

/// <summary>
/// A stateful word count whose running totals go to PostgreSQL. Its Default sink URI compiles only because this project
/// references Compiled.PostgreSQL, whose assembly declares the <c>postgres</c> scheme; the tests pass the server's URI
/// with <c>--sink</c>.
/// </summary>
[Pipeline(BatchInterval = "100ms")]
public static partial class WordTotalsToPostgres
{
    /// <summary>Lines of the test's files.</summary>
    [Source(Default = "stdin:")]
    public static partial Lines Input();

    /// <summary>The words of a line, split at spaces.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word once per batch, with its count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>The word's total over all input so far, kept as its state and emitted as (word,total).</summary>
    [MapWithState]
    public static KeyValue<long> Total(ReadOnlySpan<byte> word, long? count, State<long> total)
    {
        long sum = total.GetValueOrDefault() + (count ?? 0);
        total.Update(sum);
        return new KeyValue<long>(word, sum);
    }

    /// <summary>The totals, upserted into a table of word and total.</summary>
    [Sink(Default = "postgres://postgres@localhost:5432/words?table=totals")]
    public static partial void Output(ReadOnlySpan<byte> word, long total);
}

/// <summary>A compiled pipeline writing to a real PostgreSQL through <c>--sink postgres://...</c>, checked through Npgsql.</summary>
public sealed class PostgresPipelineTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("compiled-pg-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Registry_PostgresScheme_RegisteredByTheGeneratedModuleInitializer()
    {
        Sink sink = ConnectorRegistry.CreateSink("postgres://app@db:5432/shop?table=t", new SinkContext());
        Assert.IsType<PostgresSink>(sink);
        var unknown = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSink("postgress://db/shop?table=t", new SinkContext()));
        Assert.Contains("postgres://user@host:port/db?table=T", unknown.Message);
    }

    [Fact]
    public async Task WordTotals_FilesThroughSinkUri_TableHoldsEveryWordsTotal()
    {
        string database = await postgres.NewDatabaseAsync();
        string input = Path.Combine(_temp, "in");
        Directory.CreateDirectory(input);
        string[] lines = ["the cat sat on the mat", "the dog", "a cat, a dog", "ünïcødé the"];
        File.WriteAllLines(Path.Combine(input, "a.txt"), lines[..2]);
        File.WriteAllLines(Path.Combine(input, "b.txt"), lines[2..]);

        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(WordTotalsToPostgres.Definition,
            ["--source", $"file://{input}/*.txt", "--sink", postgres.Server.SinkUri(database, "totals", "valueType=bigint&job=words")], error, null);
        Assert.True(exit == 0, error.ToString());

        Assert.Equal(Expected(lines), await PostgresSinkDriver.ReadTableAsync(postgres.Server.ConnectionString(database), "totals"));
    }

    [Fact]
    public async Task WordTotals_WithCheckpoint_SecondRunGoesOnFromTheFirstRunsTotals()
    {
        string database = await postgres.NewDatabaseAsync();
        string input = Path.Combine(_temp, "in");
        Directory.CreateDirectory(input);
        string[] arguments =
        [
            "--source", $"file://{input}/*.txt", "--sink", postgres.Server.SinkUri(database, "totals", "job=words"),
            "--checkpoint", Path.Combine(_temp, "checkpoint"),
        ];
        File.WriteAllLines(Path.Combine(input, "a.txt"), ["apple pear apple"]);
        var firstError = new StringWriter();
        Assert.True(await PipelineProgram.RunAsync(WordTotalsToPostgres.Definition, arguments, firstError, null) == 0, firstError.ToString());

        File.WriteAllLines(Path.Combine(input, "b.txt"), ["apple fig"]);
        var secondError = new StringWriter();
        Assert.True(await PipelineProgram.RunAsync(WordTotalsToPostgres.Definition, arguments, secondError, null) == 0, secondError.ToString());

        string connection = postgres.Server.ConnectionString(database);
        Assert.Equal(new SortedDictionary<string, string> { ["apple"] = "3", ["fig"] = "1", ["pear"] = "1" },
            await PostgresSinkDriver.ReadTableAsync(connection, "totals"));
        Assert.Equal(0L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM pg_prepared_xacts"));
        Assert.Equal(1L, await PostgresSinkDriver.ScalarAsync(connection, "SELECT count(*) FROM compiled_batches WHERE job = 'words' AND sink = 'Output'"));
    }

    private static SortedDictionary<string, string> Expected(string[] lines)
    {
        var counts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (IGrouping<string, string> word in lines.SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).GroupBy(w => w))
        {
            counts[word.Key] = word.Count().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
