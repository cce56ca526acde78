using Compiled.Hosting;

namespace Compiled.Parquet.Tests.Readme;

/// <summary>The README's Parquet example runs as the README runs it, from the command line, and its file reads back.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task TradesToLake_CommandLineWithZstd_WritesTheTradesAsParquet()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        string example = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Compiled.Parquet.Tests", "Readme", "TradesToLake.cs"));
        foreach (string line in example.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('[') || l.StartsWith("public", StringComparison.Ordinal)))
        {
            Assert.Contains(line, readme, StringComparison.Ordinal);
        }

        using var temp = new TempDirectory();
        string input = temp.Write("trades.csv", "symbol,price,qty,side,time\nAAPL,187.25,100,Buy,1780000000000\n日本,0.5,-3,Sell,1780000000001\n");
        var errors = new StringWriter();

        int exit = await PipelineProgram.RunAsync(
            TradesToLake.Definition,
            ["--source", "file://" + input, "--sink", $"parquet://{temp.Path}/lake/trades/part?compression=zstd", "--log-level", "warning"],
            errors,
            configure: null);

        Assert.True(exit == 0, $"The job exited {exit}: {errors}");
        var (_, _, rows) = await ParquetTest.ReadAsync(Path.Combine(temp.Path, "lake", "trades", Assert.Single(temp.Files(Path.Combine("lake", "trades")))));
        Assert.Equal(
            [("AAPL", 187.25m, 100L, "Buy", DateTimeOffset.FromUnixTimeMilliseconds(1780000000000).UtcDateTime), ("日本", 0.5m, -3L, "Sell", DateTimeOffset.FromUnixTimeMilliseconds(1780000000001).UtcDateTime)],
            rows.Select(r => ((string)r["symbol"]!, (decimal)r["price"]!, (long)r["qty"]!, (string)r["side"]!, (DateTime)r["time"]!)));
    }

    private static string RepositoryRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Compiled.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("The repository (Compiled.sln) is not above the test's directory.");
    }
}
