using BenchmarkDotNet.Attributes;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Benchmarks.Checkpoints;

/// <summary>
/// A running total per word, as <c>[UpdateStateByKey]</c> keeps it, written into a checkpoint and restored the way the
/// generated job does: an <see cref="UpdateStateStore{TKey, TValue, TState, TKeys, TFunction}"/> of N byte keys
/// ("word-0" ...) with long states, written with <c>WriteCheckpoint</c> into a reused <see cref="CheckpointWriter"/>
/// (16 key shards, each entry's place in the table, the state), and read with <c>ReadCheckpoint</c> into a new store
/// (every checksum checked, the keys put back in their order).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Checkpoint")]
public class StateStoreCheckpointBenchmarks : IDisposable
{
    private UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, RunningTotal> _store = null!;
    private readonly CheckpointWriter _writer = new();
    private byte[] _file = [];
    private long _batch;

    /// <summary>How many keys the store holds.</summary>
    [Params(100_000, 1_000_000)]
    public int Keys { get; set; }

    /// <summary>Fills the store and writes one checkpoint to read back.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _store = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, RunningTotal>();
        Span<byte> key = stackalloc byte[16];
        "word-"u8.CopyTo(key);
        for (int i = 0; i < Keys; i++)
        {
            i.TryFormat(key[5..], out int written);
            _store.Put(key[..(5 + written)], i * 7L);
        }

        Write();
        _file = _writer.WrittenFile.ToArray();
    }

    /// <summary>Writes the store's state into the reused buffer: one section, header, footer and checksums.</summary>
    [Benchmark(Baseline = true)]
    public int Write()
    {
        _writer.Begin(new CheckpointHeader("StatefulWordCount", 0x5EED, ++_batch, _batch * 1000));
        var section = _writer.BeginSection("state/Totals");
        _store.WriteCheckpoint(ref section);
        section.End();
        return _writer.Complete().Length;
    }

    /// <summary>Checks the checkpoint and restores the state into a new store.</summary>
    [Benchmark]
    public int Read()
    {
        using var reader = CheckpointReader.FromBytes(_file, "memory", "StatefulWordCount");
        var restored = new UpdateStateStore<ReadOnlySpan<byte>, long, long, ByteKeys<UpdateEntry<long>>, RunningTotal>();
        var section = reader.GetSection("state/Totals");
        restored.ReadCheckpoint(ref section);
        section.End();
        return restored.Count;
    }

    /// <summary>Returns the writer's buffer.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _writer.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds a word's counts of the batch to its total.</summary>
    private readonly struct RunningTotal : IUpdateStateFunction<ReadOnlySpan<byte>, long, long>
    {
        public static long? Update(long batchTime, ReadOnlySpan<byte> key, ReadOnlySpan<long> values, long? state)
        {
            long total = state ?? 0;
            foreach (long value in values)
            {
                total += value;
            }

            return total;
        }
    }
}
