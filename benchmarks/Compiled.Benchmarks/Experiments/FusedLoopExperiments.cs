using System.Buffers;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;
using Compiled.Benchmarks.WordCount;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Keys;

namespace Compiled.Benchmarks.Experiments;

/// <summary>
/// An experiment on the generated loop: the same word count (counts only: no batch-boundary output, so only
/// the per-record loop is compared) with
/// <list type="bullet">
/// <item>the consumer exactly as the generator emits it (<c>OnRecord</c> marked <c>AggressiveInlining</c>,
/// <c>_add</c> read through the framer's <c>ref TConsumer</c> for every word);</item>
/// <item>the same consumer with the table copied into a local once per record.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Experiments")]
public class FusedLoopExperiments
{
    private ReadOnlySequence<byte> _buffer;
    private LineFramer _framer = null!;
    private ByteKeyTable<long> _table = null!;

    /// <summary>Builds the corpus, the framer and the table, and checks that both loops count the same.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Corpus corpus = Corpus.Shared;
        _buffer = corpus.Sequence;
        _framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        _table = new ByteKeyTable<long>();

        long asEmitted = Total(AsEmitted);
        long local = Total(LocalTable);
        if (asEmitted != corpus.Words || local != corpus.Words)
        {
            throw new InvalidOperationException($"Counted {asEmitted:N0} and {local:N0} words; the corpus has {corpus.Words:N0}.");
        }

        JitWarmUp.Run(_buffer, prefix =>
        {
            _buffer = prefix;
            AsEmitted();
            LocalTable();
            _buffer = corpus.Sequence;
        });
    }

    /// <summary>Releases the framer's pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup() => _framer.Dispose();

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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
}
