using BenchmarkDotNet.Attributes;
using Compiled.Keys;

namespace Compiled.Benchmarks.Micro.Keys;

/// <summary>
/// A word count of a Zipf stream (<see cref="ZipfWordStream"/>, 4,194,304 words drawn from 1,000, 100,000 or 1,000,000
/// distinct words) into a key table that the invocation clears first, as a batch's table is: the table as it was
/// before short keys moved into its slots (<see cref="ByteKeyTableBefore{TValue}"/>), the runtime's
/// <see cref="ByteKeyTable{TValue}"/>, and <see cref="HandTunedWordTable"/>, written for this job alone. The same with
/// each word's 64-bit id as a struct key: <see cref="StructKeyTableBefore{TKey, TValue}"/>,
/// <see cref="StructKeyTable{TKey, TValue}"/> and <see cref="HandTunedLongTable"/>. The mean is per word
/// (<c>OperationsPerInvoke</c>): ns/word, clearing the table included.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9)]
public class KeyTableZipfBenchmarks
{
    private ZipfWordStream _stream = null!;
    private ByteKeyTableBefore<long> _before = null!;
    private ByteKeyTable<long> _table = null!;
    private ByteKeyTable<long> _deferred = null!;
    private HandTunedWordTable _handTuned = null!;
    private StructKeyTableBefore<long, long> _structBefore = null!;
    private StructKeyTable<long, long> _structTable = null!;
    private StructKeyTable<long, long> _structDeferred = null!;
    private HandTunedLongTable _handTunedLong = null!;

    /// <summary>The number of distinct words the stream draws from.</summary>
    [Params(1_000, 100_000, 1_000_000)]
    public int DistinctKeys { get; set; }

    /// <summary>Draws the stream, counts it once into every table and checks that they agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _stream = new ZipfWordStream(DistinctKeys);
        _before = new ByteKeyTableBefore<long>();
        _table = new ByteKeyTable<long>();
        _deferred = new ByteKeyTable<long>();
        _handTuned = new HandTunedWordTable();
        _structBefore = new StructKeyTableBefore<long, long>();
        _structTable = new StructKeyTable<long, long>();
        _structDeferred = new StructKeyTable<long, long>();
        _handTunedLong = new HandTunedLongTable();
        BytesBefore();
        Bytes();
        BytesDeferred();
        BytesHandTuned();
        StructBefore();
        Struct();
        StructDeferred();
        StructHandTuned();
        Check();
        Console.WriteLine($"// {ZipfWordStream.Words:N0} words, {_stream.Text.Length:N0} bytes, {_stream.DistinctSeen:N0} distinct of {DistinctKeys:N0}");
    }

    /// <summary>The byte-key table before this change: bucket, then entry, then the key's bytes in the arena.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ZipfWordStream.Words, Description = "bytes: ByteKeyTable before")]
    [BenchmarkCategory("bytes")]
    public int BytesBefore()
    {
        ByteKeyTableBefore<long> table = _before;
        table.Clear();
        ReadOnlySpan<byte> text = _stream.Text;
        int offset = 0;
        foreach (byte length in _stream.Lengths)
        {
            table.GetValueRefOrAddDefault(text.Slice(offset, length), out _)++;
            offset += length;
        }

        return table.Count;
    }

    /// <summary>The runtime's byte-key table: a short key, its hash and its value in one slot.</summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "bytes: ByteKeyTable")]
    [BenchmarkCategory("bytes")]
    public int Bytes()
    {
        ByteKeyTable<long> table = _table;
        table.Clear();
        ReadOnlySpan<byte> text = _stream.Text;
        int offset = 0;
        foreach (byte length in _stream.Lengths)
        {
            table.GetValueRefOrAddDefault(text.Slice(offset, length), out _)++;
            offset += length;
        }

        return table.Count;
    }

    /// <summary>
    /// The runtime's byte-key table as a generated [ReduceByKey] feeds it: each word waits in the table's queue while its
    /// slot is fetched (<see cref="ByteKeyTable{TValue}.Defer"/>), and the oldest waiting word is reduced (a sum of ones);
    /// while the table is smaller than a core's caches (<see cref="ByteKeyTable{TValue}.IsLargerThanCache"/>), looked up at once.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "bytes: ByteKeyTable, deferred")]
    [BenchmarkCategory("bytes")]
    public int BytesDeferred()
    {
        ByteKeyTable<long> table = _deferred;
        table.Clear();
        ReadOnlySpan<byte> text = _stream.Text;
        int offset = 0;
        foreach (byte length in _stream.Lengths)
        {
            ReadOnlySpan<byte> key = text.Slice(offset, length);
            if (table.IsLargerThanCache)
            {
                for (int due = table.Defer(key, 1); due > 0; due--)
                {
                    ref long slot = ref table.TakeOldest(out bool exists, out long value);
                    slot = exists ? slot + value : value;
                }
            }
            else
            {
                table.GetValueRefOrAddDefault(key, out _)++;
            }

            offset += length;
        }

        for (int due = table.Waiting; due > 0; due--)
        {
            ref long slot = ref table.TakeOldest(out bool exists, out long value);
            slot = exists ? slot + value : value;
        }

        return table.Count;
    }

    /// <summary>The hand-written word-count table.</summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "bytes: hand-tuned")]
    [BenchmarkCategory("bytes")]
    public int BytesHandTuned()
    {
        HandTunedWordTable table = _handTuned;
        table.Clear();
        ReadOnlySpan<byte> text = _stream.Text;
        int offset = 0;
        foreach (byte length in _stream.Lengths)
        {
            table.Increment(text.Slice(offset, length));
            offset += length;
        }

        return table.Count;
    }

    /// <summary>The struct-key table before this change: bucket, then entry.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ZipfWordStream.Words, Description = "long: StructKeyTable before")]
    [BenchmarkCategory("long")]
    public int StructBefore()
    {
        StructKeyTableBefore<long, long> table = _structBefore;
        table.Clear();
        foreach (long id in _stream.Ids)
        {
            table.GetValueRefOrAddDefault(id, out _)++;
        }

        return table.Count;
    }

    /// <summary>The runtime's struct-key table: key, hash and value in one slot.</summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "long: StructKeyTable")]
    [BenchmarkCategory("long")]
    public int Struct()
    {
        StructKeyTable<long, long> table = _structTable;
        table.Clear();
        foreach (long id in _stream.Ids)
        {
            table.GetValueRefOrAddDefault(id, out _)++;
        }

        return table.Count;
    }

    /// <summary>
    /// The runtime's struct-key table as a generated [ReduceByKey] of struct keys feeds it: each key waits while its tag
    /// and slot are fetched (<see cref="StructKeyTable{TKey, TValue}.Defer"/>), the oldest is reduced; while the table is
    /// smaller than a core's caches, looked up at once.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "long: StructKeyTable, deferred")]
    [BenchmarkCategory("long")]
    public int StructDeferred()
    {
        StructKeyTable<long, long> table = _structDeferred;
        table.Clear();
        foreach (long id in _stream.Ids)
        {
            if (table.IsLargerThanCache)
            {
                for (int due = table.Defer(id, 1); due > 0; due--)
                {
                    ref long slot = ref table.TakeOldest(out bool exists, out long value);
                    slot = exists ? slot + value : value;
                }
            }
            else
            {
                table.GetValueRefOrAddDefault(id, out _)++;
            }
        }

        for (int due = table.Waiting; due > 0; due--)
        {
            ref long slot = ref table.TakeOldest(out bool exists, out long value);
            slot = exists ? slot + value : value;
        }

        return table.Count;
    }

    /// <summary>The hand-written count per 64-bit key.</summary>
    [Benchmark(OperationsPerInvoke = ZipfWordStream.Words, Description = "long: hand-tuned")]
    [BenchmarkCategory("long")]
    public int StructHandTuned()
    {
        HandTunedLongTable table = _handTunedLong;
        table.Clear();
        foreach (long id in _stream.Ids)
        {
            table.Increment(id);
        }

        return table.Count;
    }

    // Every table holds the same distinct keys, in the same order for the runtime's tables, with the same counts (the
    // hand-tuned ones, which have no order, on a sample of keys).
    private void Check()
    {
        int distinct = _stream.DistinctSeen;
        if (_before.Count != distinct || _table.Count != distinct || _deferred.Count != distinct || _handTuned.Count != distinct
            || _structBefore.Count != distinct || _structTable.Count != distinct || _structDeferred.Count != distinct || _handTunedLong.Count != distinct)
        {
            throw new InvalidOperationException(
                $"The tables disagree on the number of distinct keys: {distinct} expected; {_before.Count}, {_table.Count}, {_handTuned.Count}, {_structBefore.Count}, {_structTable.Count}, {_structDeferred.Count}, {_handTunedLong.Count}.");
        }

        long total = 0;
        for (int i = 0; i < distinct; i++)
        {
            if (!_before.KeyAt(i).SequenceEqual(_table.KeyAt(i)) || _before.ValueAt(i) != _table.ValueAt(i)
                || !_deferred.KeyAt(i).SequenceEqual(_table.KeyAt(i)) || _deferred.ValueAt(i) != _table.ValueAt(i)
                || _structBefore.KeyAt(i) != _structTable.KeyAt(i) || _structBefore.ValueAt(i) != _structTable.ValueAt(i)
                || _structDeferred.KeyAt(i) != _structTable.KeyAt(i) || _structDeferred.ValueAt(i) != _structTable.ValueAt(i))
            {
                throw new InvalidOperationException($"The runtime's tables disagree with the ones before at entry {i}.");
            }

            total += _table.ValueAt(i);
            if (i % Math.Max(1, distinct / 50) == 0
                && (_handTuned.CountOf(_table.KeyAt(i)) != _table.ValueAt(i) || _handTunedLong.CountOf(_structTable.KeyAt(i)) != _structTable.ValueAt(i)))
            {
                throw new InvalidOperationException($"The hand-tuned tables disagree with the runtime's at entry {i}.");
            }
        }

        if (total != ZipfWordStream.Words)
        {
            throw new InvalidOperationException($"The counts add up to {total}, not {ZipfWordStream.Words}.");
        }
    }
}
