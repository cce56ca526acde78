using System.Globalization;
using System.Runtime.InteropServices;
using Compiled.Benchmarks.Connectors;

// The connector benchmark: per connector, records/s of the client library alone next to a pass-through pipeline and
// a word count through the connector, in one run, on servers the program starts itself (as the tests do). Prints a
// Markdown table for benchmarks/results/connectors.md; progress goes to standard error.
//
//   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Connectors -- [redis] [postgres] [zmq]
//       [kafka] [--records N] [--lines N] [--rounds N]
//
// The Redis sink's cost in CPU time, commands and bytes rather than wall-clock time (Redis/RedisCpuBenchmark.cs):
//
//   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Connectors -- redis-cpu [--records N] [--rounds N] [--warmups N]
// The Redis stream word count on one partition and on two (Redis/RedisPartitionsBenchmark.cs):
//
//   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Connectors -- redis-partitions [--records N] [--rounds N]
if (args is ["redis-partitions", ..])
{
    return await Compiled.Benchmarks.Connectors.Redis.RedisPartitionsBenchmark.MainAsync(args[1..]);
}

if (args is ["redis-cpu", ..])
{
    return await Compiled.Benchmarks.Connectors.Redis.RedisCpuBenchmark.MainAsync(args[1..]);
}

// A connector is one static class with RunAsync(Settings) returning its figures.
var connectors = new Dictionary<string, Func<Settings, Task<List<Figure>>>>(StringComparer.OrdinalIgnoreCase)
{
    ["redis"] = RedisBenchmark.RunAsync,
    ["postgres"] = PostgresBenchmark.RunAsync,
    ["zmq"] = ZeroMQBenchmark.RunAsync,
    ["kafka"] = KafkaBenchmark.RunAsync,
};

int records = 500_000;
int lines = 200_000;
int rounds = 3;
var chosen = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--records": records = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--lines": lines = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case var name when connectors.ContainsKey(name): chosen.Add(name); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'; give connectors ({string.Join(", ", connectors.Keys)}) and --records N, --lines N, --rounds N.");
            return 2;
    }
}

if (chosen.Count == 0)
{
    chosen.AddRange(connectors.Keys);
}

string directory = Directory.CreateTempSubdirectory("compiled-connector-bench-").FullName;
var settings = new Settings(records, lines, rounds, directory);
var figures = new List<Figure>();
try
{
    foreach (string name in chosen)
    {
        Console.Error.WriteLine($"{name}: a warm-up round and {rounds} rounds of {records:N0} records and {lines:N0} lines");
        figures.AddRange(await connectors[name](settings));
    }
}
finally
{
    Directory.Delete(directory, recursive: true);
}

Console.WriteLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; median of {rounds} rounds after a warm-up round.");
Console.WriteLine();
Console.WriteLine("| Connector | Case | Records | Median s | Records/s | Allocated B/record (process) | Records/s ÷ its baseline's: per round, median (range) |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---|");
var cpu = new System.Text.StringBuilder();
cpu.AppendLine();
cpu.AppendLine("| Connector | Case | CPU s, this process (median) | CPU s, server (median) | Records/s ÷ baseline's: per round, Q1 / median / Q3 | Baseline's CPU per record ÷ this case's (client + server): per round, Q1 / median / Q3 |");
cpu.AppendLine("|---|---|---:|---:|---|---|");
foreach (Figure figure in figures)
{
    string ratio = "baseline";
    if (figure.Baseline is { } baseline)
    {
        (double median, double least, double most) = figure.RoundRatios();
        ratio = string.Create(CultureInfo.InvariantCulture, $"{median:0.00} ({least:0.00}–{most:0.00}) of \"{baseline.Case}\"");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {figure.Connector} | {figure.Case} | {figure.Records:N0} | {figure.MedianSeconds:0.000} | {figure.RecordsPerSecond:N0} | {figure.MedianBytesPerRecord:N0} | {ratio} |"));
    string quartiles = "baseline", cpuRatio = "baseline";
    if (figure.Baseline is not null)
    {
        (double q1, double median, double q3) = figure.RoundRatioQuartiles();
        quartiles = string.Create(CultureInfo.InvariantCulture, $"{q1:0.00} / **{median:0.00}** / {q3:0.00}");
        (double c1, double cm, double c3) = figure.CpuRatios();
        cpuRatio = string.Create(CultureInfo.InvariantCulture, $"{1 / c3:0.00} / **{1 / cm:0.00}** / {1 / c1:0.00}");
    }

    cpu.AppendLine(string.Create(CultureInfo.InvariantCulture,
        $"| {figure.Connector} | {figure.Case} | {figure.MedianClientCpuSeconds:0.00} | {(double.IsNaN(figure.MedianServerCpuSeconds) ? "not measured" : figure.MedianServerCpuSeconds.ToString("0.00", CultureInfo.InvariantCulture))} | {quartiles} | {cpuRatio} |"));
}

Console.Write(cpu.ToString());

return 0;
