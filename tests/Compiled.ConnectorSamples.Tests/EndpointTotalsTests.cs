using System.Text;
using Compiled.EndToEnd.Tests;
using Npgsql;
using Samples.LogMonitor;

namespace Compiled.ConnectorSamples.Tests;

/// <summary>
/// samples/EndpointTotals, as its README section runs it: the bundled access log through the executable into a real
/// PostgreSQL, one row per endpoint holding its requests, read back through Npgsql.
/// </summary>
public sealed class EndpointTotalsTests
{
    private static string Directory => Path.Combine(Repo.Root, "samples", "EndpointTotals");

    private static string Executable => Path.Combine(Directory, "bin", Repo.Configuration, "net10.0", "EndpointTotals");

    [Fact]
    public async Task The_bundled_log_leaves_each_endpoints_requests_in_the_table()
    {
        await using PostgresServer postgres = await PostgresServer.StartNewAsync();
        string sink = postgres.SinkUri("postgres", "endpoint_requests", "valueType=bigint");

        (int exitCode, _, string error) = await ChildProcess.RunAsync(Executable, ["--sink", sink], Directory);

        Assert.True(exitCode == 0, $"EndpointTotals exited with {exitCode}:\n{error}");
        Assert.Equal(ExpectedTotals(), await ReadTableAsync(postgres));
    }

    [Fact]
    public async Task Run_again_over_the_same_log_it_leaves_the_same_table()
    {
        await using PostgresServer postgres = await PostgresServer.StartNewAsync();
        string sink = postgres.SinkUri("postgres", "endpoint_requests", "valueType=bigint");

        for (int run = 1; run <= 2; run++)
        {
            (int exitCode, _, string error) = await ChildProcess.RunAsync(Executable, ["--sink", sink], Directory);
            Assert.True(exitCode == 0, $"EndpointTotals run {run} exited with {exitCode}:\n{error}");
        }

        // Totals are set, not added: a second run over the same input computes and writes the same totals.
        Assert.Equal(ExpectedTotals(), await ReadTableAsync(postgres));
    }

    [Fact]
    public async Task The_documented_command_starts_its_own_PostgreSQL_and_prints_the_table()
    {
        // The script builds the sample, and with it the runtime, as other test processes may be doing.
        (int exitCode, string output, string error) = (0, "", "");
        using (await BuildLock.AcquireAsync())
        {
            (exitCode, output, error) = await ChildProcess.RunAsync(
                "bash", [Path.Combine(Directory, "run.sh")], Repo.Root, TimeSpan.FromMinutes(5));
        }

        Assert.True(exitCode == 0, $"samples/EndpointTotals/run.sh exited with {exitCode}:\n{output}\n{error}");
        foreach ((string endpoint, long requests) in ExpectedTotals())
        {
            Assert.Matches($@"(?m)^\s*{System.Text.RegularExpressions.Regex.Escape(endpoint)}\s*\|\s*{requests}\s*$", output);
        }

        Assert.Contains($"({ExpectedTotals().Count} rows)", output, StringComparison.Ordinal);
    }

    /// <summary>The bundled log's requests per endpoint, counted here line by line with the sample's own parser.</summary>
    private static SortedDictionary<string, long> ExpectedTotals()
    {
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(Repo.Root, "samples", "LogMonitor", "input", "access.log")))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            string endpoint = AccessLog.TryParse(bytes, out AccessLogEntry entry)
                ? Encoding.UTF8.GetString(EndpointPath.Normalize(entry.Endpoint))
                : "(malformed)";
            totals[endpoint] = totals.GetValueOrDefault(endpoint) + 1;
        }

        return totals;
    }

    private static async Task<SortedDictionary<string, long>> ReadTableAsync(PostgresServer postgres)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT key, value FROM endpoint_requests", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(reader.GetString(0), reader.GetInt64(1));
        }

        return rows;
    }
}
