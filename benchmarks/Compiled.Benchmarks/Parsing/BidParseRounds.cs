using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compiled.Benchmarks.Profiling;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Sinks;

namespace Compiled.Benchmarks.Parsing;

/// <summary>
/// The Q1-style bid parse four ways over the same bytes, in interleaved rounds in one process:
/// <c>dotnet bin/Release/net10.0/Compiled.Benchmarks.dll bids [rounds] [megabytes]</c>. The variants: a loop written by
/// hand (framing by <c>IndexOf('\n')</c>, fields by <see cref="Utf8Parser"/>); the typed source
/// (<see cref="TypedBids"/>); byte lines with span parsing in a [Map] (<see cref="SpanParsedBids"/>); and byte lines with
/// the typed source's previous parse in a [Map] (<see cref="PreviousParseBids"/>). Each round runs every variant once,
/// the order rotating; each run is one batch over all the bids and is timed by the thread's CPU time and by the wall
/// clock. Prints the median of each and the median of the per-round ratios to the hand-written loop; every variant's
/// checksum must equal the hand-written one's before a time counts.
/// </summary>
internal static class BidParseRounds
{
    private static readonly string[] s_names = ["hand-written", "typed Lines<T>", "byte lines + span parse in [Map]", "previous typed parse, in [Map]"];

    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        int megabytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        byte[] bytes = Generate(megabytes * 1024 * 1024, out int lines);
        var sequence = new ReadOnlySequence<byte>(bytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {lines:N0} bids, {bytes.Length / 1e6:F1} MB; {rounds} rounds; load average {LoadAverage()}"));

        var sinks = new LastRecordSink[3];
        var jobs = new PipelineJob[3];
        PipelineDefinition[] definitions = [TypedBids.Definition, SpanParsedBids.Definition, PreviousParseBids.Definition];
        for (int i = 0; i < 3; i++)
        {
            sinks[i] = new LastRecordSink();
            jobs[i] = definitions[i].CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sinks[i]]));
        }

        long expected = HandWritten(bytes);
        Func<long>[] variants =
        [
            () => HandWritten(bytes),
            () => RunJob(jobs[0], sinks[0], sequence),
            () => RunJob(jobs[1], sinks[1], sequence),
            () => RunJob(jobs[2], sinks[2], sequence),
        ];

        // Two unmeasured rounds: every loop reaches its optimised code.
        for (int warm = 0; warm < 2; warm++)
        {
            foreach (Func<long> variant in variants)
            {
                variant();
            }
        }

        var cpu = new double[variants.Length][];
        var wall = new double[variants.Length][];
        for (int v = 0; v < variants.Length; v++)
        {
            cpu[v] = new double[rounds];
            wall[v] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                int v = (round + k) % variants.Length;
                long cpuStart = ThreadCpuTime.Nanoseconds();
                long start = Stopwatch.GetTimestamp();
                long checksum = variants[v]();
                wall[v][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                cpu[v][round] = (ThreadCpuTime.Nanoseconds() - cpuStart) / 1e6;
                if (checksum != expected)
                {
                    Console.Error.WriteLine($"{s_names[v]} computed {checksum}, the hand-written loop {expected}: not the same job.");
                    return 1;
                }
            }
        }

        Console.WriteLine("| variant | median CPU ms | ns/bid (CPU) | × hand-written, CPU | median wall ms | × hand-written, wall |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (int v = 0; v < variants.Length; v++)
        {
            double cpuRatio = Median([.. Enumerable.Range(0, rounds).Select(r => cpu[v][r] / cpu[0][r])]);
            double wallRatio = Median([.. Enumerable.Range(0, rounds).Select(r => wall[v][r] / wall[0][r])]);
            double cpuMs = Median(cpu[v]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s_names[v]} | {cpuMs:F1} | {cpuMs * 1e6 / lines:F1} | {cpuRatio:F2} | {Median(wall[v]):F1} | {wallRatio:F2} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// load average after: {LoadAverage()}"));
        foreach (PipelineJob job in jobs)
        {
            job.Dispose();
        }

        return 0;
    }

    // One batch over every bid; the job's one output record is the batch's checksum.
    private static long RunJob(PipelineJob job, LastRecordSink sink, in ReadOnlySequence<byte> sequence)
    {
        job.BeginStream(0, "memory");
        job.Process(0, sequence, isCompleted: true);
        job.CompleteBatch(new BatchInfo(1, 1000));
        return sink.Last;
    }

    // The job written by hand for these lines: find each line, read its four numbers with Utf8Parser, fold them.
    private static long HandWritten(byte[] bytes)
    {
        ReadOnlySpan<byte> rest = bytes;
        long sum = 0;
        while (!rest.IsEmpty)
        {
            int newline = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? default : rest[(newline + 1)..];
            if (Utf8Parser.TryParse(line, out long auction, out int used) && used < line.Length && line[used] == (byte)',')
            {
                line = line[(used + 1)..];
                if (Utf8Parser.TryParse(line, out long bidder, out used) && used < line.Length && line[used] == (byte)',')
                {
                    line = line[(used + 1)..];
                    if (Utf8Parser.TryParse(line, out long price, out used) && used < line.Length && line[used] == (byte)',')
                    {
                        line = line[(used + 1)..];
                        if (Utf8Parser.TryParse(line, out long dateTime, out used) && used == line.Length)
                        {
                            sum += BidChecksum.Of(auction, bidder, price, dateTime);
                        }
                    }
                }
            }
        }

        return sum;
    }

    // Bids in Nexmark's ranges, from a fixed seed: auctions from 1000, bidders from 1000, prices in cents up to
    // 10,000.00, event times in Unix milliseconds from 2026-03-01.
    private static byte[] Generate(int size, out int lines)
    {
        var random = new Random(20261206);
        var text = new MemoryStream(size + 64);
        Span<byte> line = stackalloc byte[96];
        long time = 1_772_323_200_000;
        lines = 0;
        while (text.Length < size)
        {
            time += random.Next(0, 20);
            int length = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{1000 + random.Next(10_000)},{1000 + random.Next(100_000)},{random.Next(1_000_000)},{time}\n"), line);
            text.Write(line[..length]);
            lines++;
        }

        return text.ToArray();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A sink that keeps the number in the last record it was given: a job's checksum.</summary>
    private sealed class LastRecordSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
    {
        public long Last { get; private set; }

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Last = long.Parse(record, CultureInfo.InvariantCulture);

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
