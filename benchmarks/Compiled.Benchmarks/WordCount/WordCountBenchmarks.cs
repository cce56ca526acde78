using System.Buffers;
using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;

namespace Compiled.Benchmarks.WordCount;

/// <summary>
/// The whole word count, three ways, over the same bytes: one operation is one batch, every line of the
/// corpus in, one <c>(word,count)</c> record per distinct word out to a discarding sink.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("WordCount")]
public class WordCountBenchmarks
{
    private ReadOnlySequence<byte> _buffer;
    private RuntimeTableLoopWordCount _runtimeTableLoop = null!;
    private PipelineJob _job = null!;
    private PipelineJob _guardedJob = null!;
    private DiscardingSink _sink = null!;

    /// <summary>Builds the corpus and the three word counts, and fails if they do not agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Corpus corpus = Corpus.Shared;
        Console.WriteLine($"// Corpus: {corpus}");
        _buffer = corpus.Sequence;
        _sink = new DiscardingSink();
        _runtimeTableLoop = new RuntimeTableLoopWordCount();
        _job = CreateJob(_sink);
        _guardedJob = GuardedWordCountPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [_sink]));
        if (!JitWarmUp.Quick)
        {
            Verify(corpus);
        }

        JitWarmUp.Run(_buffer, prefix =>
        {
            _buffer = prefix;
            RuntimeTableLoop();
            Compiled();
            Guarded();
            if (!JitWarmUp.Quick)
            {
                Linq();
            }

            _buffer = corpus.Sequence;
        });
    }

    /// <summary>Releases the job's pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _job.Dispose();
        _guardedJob.Dispose();
    }

    /// <summary>
    /// The span loop written by hand around the runtime's own <c>ByteKeyTable</c>: the ratio of the generated job to it
    /// is the framework's overhead around the table, not the table's or the parser's speed.
    /// </summary>
    [Benchmark(Baseline = true, Description = "Runtime-table loop")]
    [Records(RecordKind.Lines)]
    public long RuntimeTableLoop()
    {
        _runtimeTableLoop.Run(_buffer, _sink);
        return _sink.Records;
    }

    /// <summary>The generated job of <see cref="WordCountPipeline"/>, driven as the batch driver drives it.</summary>
    [Benchmark(Description = "Compiled")]
    [Records(RecordKind.Lines)]
    public long Compiled()
    {
        _job.BeginStream(0, "memory");
        _job.Process(0, _buffer, isCompleted: true);
        _job.CompleteBatch(new Compiled.Hosting.BatchInfo(1, 1000));
        return _sink.Records;
    }

    /// <summary>The generated job of <see cref="GuardedWordCountPipeline"/>: every per-record call in a try whose filter asks its guard.</summary>
    [Benchmark(Description = "Compiled, guarded")]
    [Records(RecordKind.Lines)]
    public long Guarded()
    {
        _guardedJob.BeginStream(0, "memory");
        _guardedJob.Process(0, _buffer, isCompleted: true);
        _guardedJob.CompleteBatch(new Compiled.Hosting.BatchInfo(1, 1000));
        return _sink.Records;
    }

    /// <summary>The idiomatic LINQ version.</summary>
    [Benchmark(Description = "LINQ")]
    [Records(RecordKind.Lines)]
    public long Linq()
    {
        LinqWordCount.Run(_buffer, _sink);
        return _sink.Records;
    }

    private static PipelineJob CreateJob(Sinks.Sink sink) =>
        WordCountPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [sink]));

    // Runs each variant twice (the second batch runs on the tables the first one left) into a collecting
    // sink and throws unless all of them give the same count for every word, and the total is the corpus's.
    private static void Verify(Corpus corpus)
    {
        var reference = new CollectingSink();
        LinqWordCount.Run(corpus.Sequence, reference);
        long total = reference.Counts.Values.Sum();
        if (total != corpus.Words)
        {
            throw new InvalidOperationException($"LINQ counted {total:N0} words; the corpus has {corpus.Words:N0}.");
        }

        var runtimeTableLoop = new RuntimeTableLoopWordCount();
        var compiledSink = new CollectingSink();
        using PipelineJob job = CreateJob(compiledSink);
        for (int batch = 0; batch < 2; batch++)
        {
            var runtimeTableLoopSink = new CollectingSink();
            runtimeTableLoop.Run(corpus.Sequence, runtimeTableLoopSink);
            Compare("Runtime-table loop", runtimeTableLoopSink.Counts, reference.Counts);

            compiledSink.Counts.Clear();
            job.BeginStream(0, "memory");
            SequencePosition consumed = job.Process(0, corpus.Sequence, isCompleted: true);
            job.CompleteBatch(new Compiled.Hosting.BatchInfo(1, 1000));
            if (!consumed.Equals(corpus.Sequence.End))
            {
                throw new InvalidOperationException("The compiled job did not consume the whole buffer.");
            }

            Compare("Compiled", compiledSink.Counts, reference.Counts);
        }

        Console.WriteLine($"// Check: runtime-table loop, Compiled and LINQ agree on {reference.Counts.Count:N0} distinct words, {total:N0} words in all.");
    }

    private static void Compare(string name, Dictionary<string, long> actual, Dictionary<string, long> expected)
    {
        if (actual.Count != expected.Count)
        {
            throw new InvalidOperationException($"{name} found {actual.Count:N0} distinct words; LINQ found {expected.Count:N0}.");
        }

        foreach ((string word, long count) in expected)
        {
            if (!actual.TryGetValue(word, out long other) || other != count)
            {
                throw new InvalidOperationException($"{name} counted '{word}' {other:N0} times; LINQ counted it {count:N0} times.");
            }
        }
    }
}
