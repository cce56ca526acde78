using System.Buffers;
using System.Globalization;
using Compiled.Benchmarks.Profiling;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// Column pruning of JSON lines in interleaved rounds in one process, timed by the thread's CPU time:
/// <c>dotnet bin/Release/net10.0/Compiled.Benchmarks.dll jsonprune [rounds] [rows] [other-order]</c> (<c>other-order</c>:
/// the lines' properties in another order than the record declares them). The generated parser behind the
/// line framer reading every member of a quote, the price and the quantity, or the quantity alone (the mask a pipeline
/// passes); and the pipelines <see cref="QuoteChecksumAllMembers"/> and <see cref="QuoteChecksumTwoMembers"/>. Each round
/// runs each once, the order rotating; prints each one's median CPU time per line and the median of its per-round ratios
/// to the variant that reads every member. Each variant's checksum must be the same in every round.
/// </summary>
internal static class JsonPruneRounds
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        int rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        bool otherOrder = args.Length > 2 && args[2] == "other-order";
        byte[] json = JsonQuotes.Generate(rows, otherOrder);
        var reader = new JsonRecordReader(QuoteEvent.JsonLayout, "Quotes", new SourceCounters());
        using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        var allSink = new LastRecordSink();
        var twoSink = new LastRecordSink();
        using PipelineJob all = QuoteChecksumAllMembers.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [allSink]));
        using PipelineJob two = QuoteChecksumTwoMembers.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [twoSink]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {rows:N0} lines, {json.Length / 1e6:F1} MB, properties in {(otherOrder ? "another" : "declaration")} order; {rounds} rounds; load average {JsonParseRounds.LoadAverage()}"));

        Func<long>[] variants =
        [
            () => JsonQuotes.Generated(json, reader, framer),
            () => JsonQuotes.GeneratedMembers(json, reader, framer, 0b1100),
            () => JsonQuotes.GeneratedMembers(json, reader, framer, 0b1000),
            () => RunJob(all, allSink, json),
            () => RunJob(two, twoSink, json),
        ];
        string[] names =
        [
            "parser, every member (TryReadJson)", "parser, price and quantity (mask 0xC)", "parser, quantity (mask 0x8)",
            "pipeline folding every member", "pipeline folding price and quantity",
        ];
        int[] baseline = [0, 0, 0, 3, 3];
        int count = variants.Length;
        long[] expected = [.. variants.Select(v => v())];
        var cpu = new double[count][];
        for (int v = 0; v < count; v++)
        {
            cpu[v] = new double[rounds];
            variants[v]();
            variants[v]();
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < count; k++)
            {
                int v = (round + k) % count;
                long cpuStart = ThreadCpuTime.Nanoseconds();
                long checksum = variants[v]();
                cpu[v][round] = (ThreadCpuTime.Nanoseconds() - cpuStart) / 1e6;
                if (checksum != expected[v])
                {
                    Console.Error.WriteLine($"{names[v]} gave another checksum in round {round}.");
                    return 1;
                }
            }
        }

        Console.WriteLine("| Variant | CPU ms (median) | ns/line (CPU) | CPU time ÷ every member's (median of rounds) |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (int v = 0; v < count; v++)
        {
            double ms = JsonParseRounds.Median(cpu[v]);
            double ratio = JsonParseRounds.Median([.. Enumerable.Range(0, rounds).Select(r => cpu[v][r] / cpu[baseline[v]][r])]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {names[v]} | {ms:F1} | {ms * 1e6 / rows:F1} | {ratio:F2} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// load average after: {JsonParseRounds.LoadAverage()}"));
        return 0;
    }

    /// <summary>One batch over every line of <paramref name="json"/>; the job's one output record is the batch's checksum.</summary>
    internal static long RunJob(PipelineJob job, LastRecordSink sink, byte[] json)
    {
        job.BeginStream(0, "quotes.jsonl");
        job.Process(0, new ReadOnlySequence<byte>(json), isCompleted: true);
        job.CompleteBatch(new BatchInfo(1, 1000));
        return sink.Last;
    }

    /// <summary>A sink that keeps the number in the last record it was given: a job's checksum.</summary>
    internal sealed class LastRecordSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
    {
        public long Last { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Last = long.Parse(record, CultureInfo.InvariantCulture);

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
