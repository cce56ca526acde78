using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.WordCount;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;

// The word count, Native AOT: the loop written by hand around the runtime's table and the generated job, alternated round by round after
// checking that they write the same records; prints the median time of each, the median of the per-round
// ratios to that loop, and the bytes allocated while measuring.
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
Corpus corpus = Corpus.Shared;
Console.WriteLine($"// Corpus: {corpus}");
Console.WriteLine($"// Runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, dynamic code: {System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled}");

ReadOnlySequence<byte> buffer = corpus.Sequence;
var sink = new DiscardingSink();
var runtimeTableLoop = new RuntimeTableLoopWordCount();
using PipelineJob compiled = Create(WordCountPipeline.Definition, sink);
Check(corpus);

(string Name, Action Run)[] variants =
[
    ("runtime-table", () => runtimeTableLoop.Run(buffer, sink)),
    ("compiled", () => Batch(compiled, buffer)),
];

var times = new double[variants.Length][];
for (int v = 0; v < variants.Length; v++)
{
    times[v] = new double[rounds];
    variants[v].Run();
    variants[v].Run();
}

long allocated = GC.GetAllocatedBytesForCurrentThread();
for (int round = 0; round < rounds; round++)
{
    // Rotate the order, so no variant always runs right after the same other one.
    for (int i = 0; i < variants.Length; i++)
    {
        int v = (i + round) % variants.Length;
        long start = Stopwatch.GetTimestamp();
        variants[v].Run();
        times[v][round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}

allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
for (int v = 0; v < variants.Length; v++)
{
    double median = Median(times[v]);
    var ratios = new double[rounds];
    for (int round = 0; round < rounds; round++)
    {
        ratios[round] = times[v][round] / times[0][round];
    }

    Array.Sort(ratios);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{variants[v].Name,-12} median {median,7:F2} ms, {corpus.Bytes.Length / 1e3 / median,6:F1} MB/s, {median * 1e6 / corpus.Lines,6:F1} ns/line; / runtime-table loop per round: median {Median(ratios):F3}, quartiles {ratios[rounds / 4]:F3} .. {ratios[3 * rounds / 4]:F3}"));
}

Console.WriteLine($"{allocated:N0} B allocated in {rounds} rounds");
return 0;

static PipelineJob Create(PipelineDefinition definition, Compiled.Sinks.Sink sink) =>
    definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink]));

static void Batch(PipelineJob job, in ReadOnlySequence<byte> buffer)
{
    job.BeginStream(0, "memory");
    job.Process(0, buffer, isCompleted: true);
    job.CompleteBatch(new Compiled.Hosting.BatchInfo(1, 1000));
}

static double Median(double[] values)
{
    double[] sorted = [.. values];
    Array.Sort(sorted);
    return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
}

// The generated job must write the same (word,count) records as the runtime-table loop.
static void Check(Corpus corpus)
{
    var expected = new CollectingSink();
    new RuntimeTableLoopWordCount().Run(corpus.Sequence, expected);
    var actual = new CollectingSink();
    using (PipelineJob job = Create(WordCountPipeline.Definition, actual))
    {
        Batch(job, corpus.Sequence);
    }

    if (actual.Counts.Count != expected.Counts.Count
        || actual.Counts.Any(pair => !expected.Counts.TryGetValue(pair.Key, out long count) || count != pair.Value))
    {
        throw new InvalidOperationException($"{WordCountPipeline.Definition.Name} does not count as the runtime-table loop does.");
    }

    Console.WriteLine($"// Check: the two agree on {expected.Counts.Count:N0} distinct words.");
}
