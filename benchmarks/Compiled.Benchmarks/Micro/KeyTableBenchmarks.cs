using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Experiments;
using Compiled.Benchmarks.Input;
using Compiled.Keys;

namespace Compiled.Benchmarks.Micro;

/// <summary>
/// The keyed stage alone: every word of the corpus, in corpus order, looked up in a
/// <see cref="ByteKeyTable{TValue}"/> that already holds every distinct word (the steady state of a stream
/// whose vocabulary is known); the same in <see cref="AdjacentKeyTable{TValue}"/>, an experimental layout
/// with one dependent memory access fewer; and the same words only hashed, to split hashing from probing.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("KeyTable")]
public class KeyTableBenchmarks
{
    private byte[] _text = [];
    private (int Offset, int Length)[] _words = [];
    private ByteKeyTable<long> _table = null!;
    private AdjacentKeyTable<long> _adjacent = null!;

    /// <summary>Cuts the corpus into words and fills the table with them.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Corpus corpus = Corpus.Shared;
        _text = corpus.Bytes;
        var words = new List<(int, int)>(corpus.Words);
        int start = 0;
        for (int i = 0; i <= _text.Length; i++)
        {
            if (i == _text.Length || _text[i] is (byte)' ' or (byte)'\n')
            {
                if (i > start)
                {
                    words.Add((start, i - start));
                }

                start = i + 1;
            }
        }

        if (words.Count != corpus.Words)
        {
            throw new InvalidOperationException($"Found {words.Count:N0} words; the corpus has {corpus.Words:N0}.");
        }

        _words = [.. words];
        _table = new ByteKeyTable<long>();
        _adjacent = new AdjacentKeyTable<long>();
        Lookup();
        AdjacentLookup();
        for (int i = 0; i < _table.Count; i++)
        {
            if (_adjacent.Count != _table.Count || !_adjacent.KeyAt(i).SequenceEqual(_table.KeyAt(i)) || _adjacent.ValueAt(i) != _table.ValueAt(i))
            {
                throw new InvalidOperationException($"The experimental table disagrees with ByteKeyTable at entry {i}.");
            }
        }

        (int, int)[] all = _words;
        (int, int)[] prefix = all[..20_000];
        JitWarmUp.Run(() =>
        {
            _words = prefix;
            Lookup();
            AdjacentLookup();
            Hash();
            _words = all;
        });
    }

    /// <summary><see cref="ByteKeyTable{TValue}.GetValueRefOrAddDefault"/> and an increment, per word: what the word count does per word.</summary>
    [Benchmark(Baseline = true, Description = "ByteKeyTable: count known keys")]
    [Records(RecordKind.Words)]
    public long Lookup()
    {
        ByteKeyTable<long> table = _table;
        ReadOnlySpan<byte> text = _text;
        foreach ((int offset, int length) in _words)
        {
            table.GetValueRefOrAddDefault(text.Slice(offset, length), out _)++;
        }

        return table.Count;
    }

    /// <summary>The same with <see cref="AdjacentKeyTable{TValue}"/>: value and key bytes in one record.</summary>
    [Benchmark(Description = "Experiment: value beside key bytes")]
    [Records(RecordKind.Words)]
    public long AdjacentLookup()
    {
        AdjacentKeyTable<long> table = _adjacent;
        ReadOnlySpan<byte> text = _text;
        foreach ((int offset, int length) in _words)
        {
            table.GetValueRefOrAddDefault(text.Slice(offset, length), out _)++;
        }

        return table.Count;
    }

    /// <summary><see cref="KeyHash.Of"/> alone, per word.</summary>
    [Benchmark(Description = "KeyHash.Of only")]
    [Records(RecordKind.Words)]
    public uint Hash()
    {
        ReadOnlySpan<byte> text = _text;
        uint sum = 0;
        foreach ((int offset, int length) in _words)
        {
            sum += KeyHash.Of(text.Slice(offset, length));
        }

        return sum;
    }
}
