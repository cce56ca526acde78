using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compiled.Benchmarks.Parquet;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Parquet.Tests;
using Compiled.Sinks;

// The Parquet sink against the CSV file sink on the same records: one generated job (CopyFills: a CSV of six-field fills
// parsed into a [Record] and written as it is), its sink bound once to file://…?format=csv and once to parquet://
// (snappy, and uncompressed), each batch committed as a run commits it (one file per batch). Rounds alternate the order
// of the cases; the first round is a warm-up. Each case counts the rows in its files before its figures count. Prints
// a Markdown table of rows/s, bytes allocated per row and bytes on disk per row, with each case's rows/s divided by the
// CSV sink's round by round (median and range). The same program publishes as Native AOT
// (dotnet publish -c Release -p:ParquetBenchmarkAot=true), which is how the sink was checked to run ahead-of-time compiled.
//
//   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Parquet -- [--rows N] [--batches N] [--rounds N]
//
// What Parquet.Net itself allocates per value of each column type (ColumnCosts.cs):
//
//   dotnet run -c Release --project benchmarks/Compiled.Benchmarks.Parquet -- columns
if (args is ["columns"])
{
    await ColumnCosts.RunAsync(100_000);
    return 0;
}

int rows = 100_000;
int batches = 10;
int rounds = 5;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--rows": rows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--batches": batches = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'; give --rows N (per batch), --batches N (per round) or --rounds N.");
            return 2;
    }
}

string directory = Directory.CreateTempSubdirectory("compiled-parquet-bench-").FullName;
var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(FillsCsv(rows)));
(string Name, string Uri)[] cases =
[
    ("CSV file sink (`file://…?format=csv`, baseline)", "file://{0}/csv/fills?suffix=csv&format=csv"),
    ("Parquet sink, snappy (`parquet://…`)", "parquet://{0}/snappy/fills"),
    ("Parquet sink, uncompressed (`?compression=none`)", "parquet://{0}/none/fills?compression=none"),
];
var results = cases.Select(_ => new List<(double RowsPerSecond, double BytesPerRow, double DiskPerRow)>()).ToArray();
try
{
    for (int round = 0; round <= rounds; round++)
    {
        IEnumerable<int> order = round % 2 == 0 ? Enumerable.Range(0, cases.Length) : Enumerable.Range(0, cases.Length).Reverse();
        foreach (int c in order)
        {
            string target = Path.Combine(directory, round.ToString(CultureInfo.InvariantCulture));
            var measured = await MeasureAsync(string.Format(CultureInfo.InvariantCulture, cases[c].Uri, target), input, rows, batches);
            if (round > 0)
            {
                results[c].Add(measured);
            }

            Directory.Delete(target, recursive: true);
        }

        Console.Error.WriteLine(round == 0 ? "warm-up round done" : $"round {round} of {rounds} done");
    }

    Console.WriteLine($"| Sink | rows/s (median) | ratio to CSV, paired (median, range) | allocated per row | on disk per row |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    for (int c = 0; c < cases.Length; c++)
    {
        double[] ratios = results[c].Zip(results[0], (a, b) => a.RowsPerSecond / b.RowsPerSecond).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {cases[c].Name} | {Median(results[c].Select(r => r.RowsPerSecond)):N0} | {ratios[ratios.Length / 2]:F2} ({ratios[0]:F2}–{ratios[^1]:F2}) | {Median(results[c].Select(r => r.BytesPerRow)):F1} B | {Median(results[c].Select(r => r.DiskPerRow)):F1} B |"));
    }
}
finally
{
    Directory.Delete(directory, recursive: true);
}

return 0;

// One case: the job's batches, each begun, processed and committed as a run does; rows/s, bytes allocated per row (all
// threads), and the size of the files per row.
static async Task<(double RowsPerSecond, double BytesPerRow, double DiskPerRow)> MeasureAsync(string uri, ReadOnlySequence<byte> input, int rows, int batches)
{
    await using Sink sink = ConnectorRegistry.CreateSink(uri, new SinkContext { SinkName = "Output" });
    var counters = new SourceCounters();
    using PipelineJob job = CopyFills.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
    await sink.OpenAsync(CancellationToken.None);
    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    for (int batch = 1; batch <= batches; batch++)
    {
        sink.BeginBatch(batch * 1000L);
        job.BeginStream(0, "memory");
        job.Process(0, input, isCompleted: true);
        job.CompleteBatch(new BatchInfo(batch, batch * 1000L));
        await sink.CommitBatchAsync(CancellationToken.None);
    }

    clock.Stop();
    long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    if (counters.Malformed != 0)
    {
        throw new InvalidOperationException($"{counters.Malformed} rows did not parse");
    }

    string written = Path.GetDirectoryName(sink.Uri.Target)!;
    long disk = new DirectoryInfo(written).EnumerateFiles().Sum(f => f.Length);
    long total = (long)rows * batches;
    long found = await CountRowsAsync(written, sink.Uri.Scheme);
    if (found != total)
    {
        throw new InvalidOperationException($"{uri} wrote {found:N0} rows of {total:N0}");
    }
    return (total / clock.Elapsed.TotalSeconds, (double)allocated / total, (double)disk / total);
}

// The rows written: lines after each CSV file's header, or the row groups' rows of each Parquet file (from its footer).
static async Task<long> CountRowsAsync(string directory, string scheme)
{
    long count = 0;
    foreach (string file in Directory.GetFiles(directory))
    {
        if (scheme == "parquet")
        {
            await using global::Parquet.ParquetReader reader = await global::Parquet.ParquetReader.CreateAsync(file);
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                count += reader.OpenRowGroupReader(group).RowCount;
            }
        }
        else
        {
            count += File.ReadLines(file).Count() - 1;
        }
    }

    return count;
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

// Random fills as CSV: symbols of five (partly non-ASCII), prices of two decimals, sizes, sides, times, scores.
static string FillsCsv(int count)
{
    var random = new Random(4);
    string[] symbols = ["AAPL", "MSFT", "日本", "ünï", "BRK.B"];
    var csv = new StringBuilder("symbol,price,qty,side,time,score\n");
    for (int i = 0; i < count; i++)
    {
        csv.Append(CultureInfo.InvariantCulture,
            $"{symbols[random.Next(symbols.Length)]},{random.Next(1, 100000) / 100m},{random.Next(1, 1000)},{(random.Next(2) == 0 ? "Buy" : "Sell")},{1_780_000_000_000L + i},{random.NextDouble():R}\n");
    }

    return csv.ToString();
}
