using Parquet;
using Parquet.Schema;

namespace Compiled.Benchmarks.Parquet;

/// <summary>
/// What Parquet.Net itself allocates to write one column of 100,000 values of each type the sink writes, from arrays
/// ready as the sink hands them over: where the bytes per row of the sink's commit come from.
/// </summary>
internal static class ColumnCosts
{
    public static async Task RunAsync(int count)
    {
        char[] chars = string.Concat(Enumerable.Repeat("AAPL", count)).ToCharArray();
        ReadOnlyMemory<char>[] text = Enumerable.Range(0, count).Select(i => new ReadOnlyMemory<char>(chars, i * 4, 4)).ToArray();
        long[] longs = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        double[] doubles = Enumerable.Range(0, count).Select(i => i * 0.37).ToArray();
        DateTime[] times = Enumerable.Range(0, count).Select(i => DateTime.UnixEpoch.AddMilliseconds(i)).ToArray();
        decimal[] decimals = Enumerable.Range(0, count).Select(i => i / 100m).ToArray();
        Console.WriteLine("| Column (100,000 values) | allocated per value |");
        Console.WriteLine("|---|---:|");
        await MeasureAsync("long", new DataField<long>("l"), count, (g, f) => g.WriteAsync(f, new ReadOnlyMemory<long>(longs), null, null, default));
        await MeasureAsync("double", new DataField<double>("x"), count, (g, f) => g.WriteAsync(f, new ReadOnlyMemory<double>(doubles), null, null, default));
        await MeasureAsync("string (UTF-16 slices)", new DataField("s", typeof(string), isNullable: false), count, (g, f) => g.WriteAsync(f, new ReadOnlyMemory<ReadOnlyMemory<char>>(text), null, null, default));
        await MeasureAsync("timestamp (DateTime, µs)", new DateTimeDataField("t", DateTimeFormat.Timestamp, true, DateTimeTimeUnit.Micros), count, (g, f) => g.WriteAsync(f, new ReadOnlyMemory<DateTime>(times), null, null, default));
        await MeasureAsync("decimal(38, 18)", new DecimalDataField("d", 38, 18), count, (g, f) => g.WriteAsync(f, new ReadOnlyMemory<decimal>(decimals), null, null, default));
    }

    // The least of four writes of the column into memory, the values made before the count starts.
    private static async Task MeasureAsync(string name, DataField field, int count, Func<ParquetRowGroupWriter, DataField, Task> write)
    {
        long least = long.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            var output = new MemoryStream(1 << 24);
            var schema = new ParquetSchema(field);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await using (ParquetWriter writer = await ParquetWriter.CreateAsync(schema, output, null, false, default))
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await write(group, field);
            }

            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Console.WriteLine(FormattableString.Invariant($"| {name} | {least / (double)count:F1} B |"));
    }
}
