using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.WordCount;
using Compiled.Hosting;

namespace Compiled.Benchmarks.Checkpoints;

/// <summary>
/// Word count throughput with a checkpoint after every batch against none, end to end in one process: a whole
/// <see cref="PipelineRun"/> reads a file of the corpus repeated (the file source, the batch clock at the default
/// interval of one second, the console sink writing to nowhere), with and without <c>--checkpoint</c>, alternately,
/// and the median of the per-round ratios is printed. Both the word count (no state: a checkpoint holds the source's
/// position) and the stateful word count (100,000 running totals written after every batch) are measured.
/// </summary>
/// <remarks>
/// A round's time runs from the start of the run until its input has ended and its last batch is committed; the last
/// batch is committed at once (as on a stop) rather than at its time, so that waiting for the clock is not measured.
/// Usage: <c>checkpoints [rounds] [megabytes]</c>.
/// </remarks>
internal static class CheckpointThroughput
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        int megabytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
        string directory = Directory.CreateTempSubdirectory("compiled-checkpoint-throughput-").FullName;
        try
        {
            string input = Path.Combine(directory, "corpus.txt");
            using (FileStream file = File.Create(input))
            {
                byte[] corpus = Corpus.Shared.Bytes;
                for (long written = 0; written < (long)megabytes << 20; written += corpus.Length)
                {
                    file.Write(corpus);
                }
            }

            Console.WriteLine($"// {megabytes} MiB of the corpus ({Corpus.Shared}), batch interval 1s, {rounds} rounds; time per run and checkpointed/plain throughput");
            Measure("word count", WordCountPipeline.Definition, input, directory, rounds);
            Measure("stateful word count", StatefulWordCountPipeline.Definition, input, directory, rounds);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Measure(string name, PipelineDefinition definition, string input, string directory, int rounds)
    {
        // One round each unmeasured: the JIT's tiers settle.
        Time(definition, input, null);
        string warmUp = Path.Combine(directory, "warm-up");
        Time(definition, input, warmUp);
        Directory.Delete(warmUp, recursive: true);
        var plain = new double[rounds];
        var checkpointed = new double[rounds];
        var ratios = new double[rounds];
        int batches = 0;
        for (int round = 0; round < rounds; round++)
        {
            string checkpoint = Path.Combine(directory, "checkpoint-" + round.ToString(CultureInfo.InvariantCulture));
            bool plainFirst = round % 2 == 0;
            (double first, long firstBatches) = plainFirst ? Time(definition, input, null) : Time(definition, input, checkpoint);
            (double second, long secondBatches) = plainFirst ? Time(definition, input, checkpoint) : Time(definition, input, null);
            Console.WriteLine($"//   round {round + 1}: {(plainFirst ? "plain" : "checkpointed")} {first:F0} ms in {firstBatches} batches, then {(plainFirst ? "checkpointed" : "plain")} {second:F0} ms in {secondBatches} batches");
            plain[round] = plainFirst ? first : second;
            checkpointed[round] = plainFirst ? second : first;
            ratios[round] = plain[round] / checkpointed[round];
            batches = Directory.GetFiles(checkpoint).Length;
            Directory.Delete(checkpoint, recursive: true);
        }

        Console.WriteLine(
            $"{name}: plain {Median(plain):F0} ms, checkpoint every batch {Median(checkpointed):F0} ms; " +
            $"throughput with checkpoints / without: median {Median(ratios):F3} (min {ratios.Min():F3}, max {ratios.Max():F3}); {batches} checkpoint files kept");
    }

    private static (double Milliseconds, long Batches) Time(PipelineDefinition definition, string input, string? checkpoint)
    {
        var options = new PipelineRunOptions { Checkpoint = checkpoint, OpenStandardOutput = () => Stream.Null };
        options.SourceUris["Input"] = "file://" + input;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        PipelineRun run = new(definition, options);
        Task running = run.RunAsync(stop.Token);
        while (run.State != PipelineRunState.Finishing && !running.IsCompleted)
        {
            Thread.Sleep(1);
        }

        stop.Cancel();
        running.GetAwaiter().GetResult();
        double elapsed = clock.Elapsed.TotalMilliseconds;
        long batches = run.BatchesCompleted;
        run.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return (elapsed, batches);
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
