using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;

namespace Compiled.Parquet.Tests;

/// <summary>Appending a record to the Parquet columns allocates nothing once the column buffers have grown to the batch.</summary>
public sealed class ParquetAllocationTests
{
    [Fact]
    public async Task AppendingRecordsToColumns_AllocatesNothingPerRecord()
    {
        byte[] input = Encoding.UTF8.GetBytes(FillsCsv(seed: 4, count: 10_000));
        var buffer = new ReadOnlySequence<byte>(input);
        using var temp = new TempDirectory();
        await using ParquetSink sink = ParquetTest.CreateSink($"parquet://{temp.Path}/out/fills");
        var counters = new SourceCounters();
        using PipelineJob job = CopyFills.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        await sink.OpenAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(sink.Columns);
        RunBatch(job, sink, buffer, 1000);
        Assert.Equal(10_000, RunBatch(job, sink, buffer, 2000));

        long allocated = long.MaxValue;
        for (int run = 0; run < 4; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int batch = 0; batch < 10; batch++)
            {
                RunBatch(job, sink, buffer, 3000 + batch);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, counters.Malformed);
        Assert.True(allocated == 0, $"100,000 records appended to Parquet columns in 10 batches allocated {allocated} bytes (the least of four such runs); appending must allocate nothing per record.");
    }

    // One batch's records appended to the columns, without the commit (which writes the file and allocates per batch).
    private static int RunBatch(PipelineJob job, ParquetSink sink, in ReadOnlySequence<byte> buffer, long time)
    {
        sink.BeginBatch(time);
        job.BeginStream(0, "memory");
        job.Process(0, buffer, isCompleted: true);
        job.CompleteBatch(new BatchInfo(1, time));
        int rows = sink.Columns!.RowCount;
        sink.AbortBatch();
        return rows;
    }

    /// <summary>Random fills as CSV: six fields, symbols partly non-ASCII.</summary>
    internal static string FillsCsv(int seed, int count)
    {
        var random = new Random(seed);
        string[] symbols = ["AAPL", "MSFT", "日本", "ünï", "BRK.B"];
        var csv = new StringBuilder("symbol,price,qty,side,time,score\n");
        for (int i = 0; i < count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{symbols[random.Next(symbols.Length)]},{random.Next(1, 100000) / 100m},{random.Next(1, 1000)},{(random.Next(2) == 0 ? "Buy" : "Sell")},{1_780_000_000_000L + i},{random.NextDouble():R}\n");
        }

        return csv.ToString();
    }
}
