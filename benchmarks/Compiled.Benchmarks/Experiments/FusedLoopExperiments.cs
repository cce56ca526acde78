using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.WordCount;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Keys;

namespace Compiled.Benchmarks.Experiments;

/// <summary>
/// Experiments on the generated loop, to find what would close the gap to the hand-written one: the same
/// word count (counts only: no batch-boundary output, so only the per-record loop is compared) with
/// <list type="bullet">
/// <item>the consumer exactly as the generator emits it (<c>_add</c> read through the framer's
/// <c>ref TConsumer</c> for every word);</item>
/// <item>the same consumer with the table copied into a local once per record;</item>
/// <item>the same consumer with its <c>OnRecord</c> and the <c>[FlatMap]</c> enumerator's <c>MoveNext</c>
/// marked <c>AggressiveInlining</c>, so the whole chain inlines into <c>LineFramer.Frame</c> even without
/// dynamic PGO;</item>
/// <item>the generated job of <see cref="InlinedWordsPipeline"/>, whose <c>[FlatMap]</c> enumerator's
/// <c>MoveNext</c> is marked <c>AggressiveInlining</c> (compare it with <c>Compiled</c> in
/// <see cref="WordCountBenchmarks"/>, and run both with <c>DOTNET_TieredPGO=0</c> to see the Native AOT case).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Experiments")]
public class FusedLoopExperiments
{
    private ReadOnlySequence<byte> _buffer;
    private LineFramer _framer = null!;
    private ByteKeyTable<long> _table = null!;
    private PipelineJob _inlinedJob = null!;
    private DiscardingSink _sink = null!;

    /// <summary>Builds the corpus, the framer, the table and the job, and checks that all count the same.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Corpus corpus = Corpus.Shared;
        _buffer = corpus.Sequence;
        _framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        _table = new ByteKeyTable<long>();
        _sink = new DiscardingSink();
        _inlinedJob = InlinedWordsPipeline.Definition.CreateJob(new JobContext([FramingOptions.Default], [new SourceCounters()], [_sink]));

        long asEmitted = Total(AsEmitted);
        long local = Total(LocalTable);
        long inlined = Total(Inlined);
        if (asEmitted != corpus.Words || local != corpus.Words || inlined != corpus.Words)
        {
            throw new InvalidOperationException($"Counted {asEmitted:N0}, {local:N0} and {inlined:N0} words; the corpus has {corpus.Words:N0}.");
        }

        long before = _sink.Records;
        InlinedWords();
        if (_sink.Records - before != _table.Count)
        {
            throw new InvalidOperationException($"The inlined-words job wrote {_sink.Records - before:N0} records; there are {_table.Count:N0} distinct words.");
        }

        JitWarmUp.Run(_buffer, prefix =>
        {
            _buffer = prefix;
            AsEmitted();
            LocalTable();
            Inlined();
            InlinedWords();
            _buffer = corpus.Sequence;
        });
    }

    /// <summary>Releases the framer's and the job's pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _framer.Dispose();
        _inlinedJob.Dispose();
    }

    /// <summary>The loop as the generator emits it.</summary>
    [Benchmark(Baseline = true, Description = "Fused loop, as emitted")]
    [Records(RecordKind.Lines)]
    public int AsEmitted()
    {
        _table.Clear();
        var loop = new AsEmittedLoop(_table);
        _framer.Reset("memory");
        _framer.Frame(_buffer, isCompleted: true, ref loop);
        return _table.Count;
    }

    /// <summary>The loop with the table in a local.</summary>
    [Benchmark(Description = "Fused loop, table in a local")]
    [Records(RecordKind.Lines)]
    public int LocalTable()
    {
        _table.Clear();
        var loop = new LocalTableLoop(_table);
        _framer.Reset("memory");
        _framer.Frame(_buffer, isCompleted: true, ref loop);
        return _table.Count;
    }

    /// <summary>The loop with <c>OnRecord</c> and <c>MoveNext</c> marked for inlining.</summary>
    [Benchmark(Description = "Fused loop, OnRecord + MoveNext inlined")]
    [Records(RecordKind.Lines)]
    public int Inlined()
    {
        _table.Clear();
        var loop = new InlinedLoop(_table);
        _framer.Reset("memory");
        _framer.Frame(_buffer, isCompleted: true, ref loop);
        return _table.Count;
    }

    /// <summary>The generated job whose <c>[FlatMap]</c> enumerator inlines (with its batch-boundary output).</summary>
    [Benchmark(Description = "Compiled, MoveNext inlined")]
    [Records(RecordKind.Lines)]
    public long InlinedWords()
    {
        _inlinedJob.BeginStream(0, "memory");
        _inlinedJob.Process(0, _buffer, isCompleted: true);
        _inlinedJob.CompleteBatch();
        return _sink.Records;
    }

    private long Total(Func<int> run)
    {
        run();
        long total = 0;
        for (int i = 0; i < _table.Count; i++)
        {
            total += _table.ValueAt(i);
        }

        return total;
    }

    /// <summary>What the generator emits for the word count's source today (WordCountPipelineJob.InputLoop).</summary>
    private readonly struct AsEmittedLoop(ByteKeyTable<long> add) : IRecordConsumer
    {
        private readonly ByteKeyTable<long> _add = add;

        public void OnRecord(ReadOnlySpan<byte> input)
        {
            foreach (var words in WordCountPipeline.Words(input))
            {
                var pair = WordCountPipeline.Pair(words);
                ref long addSlot = ref _add.GetValueRefOrAddDefault(pair.Key, out bool addExists);
                addSlot = addExists ? WordCountPipeline.Add(addSlot, pair.Value) : pair.Value;
            }
        }
    }

    /// <summary>The same, with the struct's field unpacked into a local before the per-word loop.</summary>
    private readonly struct LocalTableLoop(ByteKeyTable<long> add) : IRecordConsumer
    {
        private readonly ByteKeyTable<long> _add = add;

        public void OnRecord(ReadOnlySpan<byte> input)
        {
            ByteKeyTable<long> add = _add;
            foreach (var words in WordCountPipeline.Words(input))
            {
                var pair = WordCountPipeline.Pair(words);
                ref long addSlot = ref add.GetValueRefOrAddDefault(pair.Key, out bool addExists);
                addSlot = addExists ? WordCountPipeline.Add(addSlot, pair.Value) : pair.Value;
            }
        }
    }

    /// <summary>The emitted loop with <c>OnRecord</c> and the enumerator's <c>MoveNext</c> marked for inlining.</summary>
    private readonly struct InlinedLoop(ByteKeyTable<long> add) : IRecordConsumer
    {
        private readonly ByteKeyTable<long> _add = add;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnRecord(ReadOnlySpan<byte> input)
        {
            foreach (var words in InlinedWordsPipeline.Words(input))
            {
                var pair = InlinedWordsPipeline.Pair(words);
                ref long addSlot = ref _add.GetValueRefOrAddDefault(pair.Key, out bool addExists);
                addSlot = addExists ? InlinedWordsPipeline.Add(addSlot, pair.Value) : pair.Value;
            }
        }
    }
}
