using BenchmarkDotNet.Attributes;
using Compiled.Checkpoints;
using Compiled.Keys;

namespace Compiled.Benchmarks.Checkpoints;

/// <summary>
/// A checkpoint of a keyed stage's state, as the job will take it after each batch: N byte keys ("key-0" ...) with
/// long values held in a <see cref="ByteKeyTable{TValue}"/>, written into a reused <see cref="CheckpointWriter"/>
/// (Write), made durable in a <see cref="CheckpointDirectory"/> (Write + fsync + rename + directory fsync), read back
/// and checked (Read: every checksum, then every entry), and restored from the file into a new table (Restore).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Checkpoint")]
public class CheckpointBenchmarks : IDisposable
{
    private ByteKeyTable<long> _table = null!;
    private readonly CheckpointWriter _writer = new();
    private byte[] _file = [];
    private string _directoryPath = "";
    private CheckpointDirectory _directory = null!;
    private long _batch;

    /// <summary>How many keys the state holds.</summary>
    [Params(100_000, 1_000_000)]
    public int Keys { get; set; }

    /// <summary>Fills the table and writes one checkpoint to read back.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _table = new ByteKeyTable<long>(Keys);
        Span<byte> key = stackalloc byte[16];
        "key-"u8.CopyTo(key);
        for (int i = 0; i < Keys; i++)
        {
            i.TryFormat(key[4..], out int written);
            _table.GetValueRefOrAddDefault(key[..(4 + written)], out _) = i * 7L;
        }

        Write();
        _file = _writer.WrittenFile.ToArray();
        _directoryPath = Directory.CreateTempSubdirectory("compiled-checkpoint-bench-").FullName;
        _directory = new CheckpointDirectory(_directoryPath, "WordCount");
        _directory.Write(_writer);
    }

    /// <summary>Writes the state into the reused buffer: header, one keyed section, footer, checksums.</summary>
    [Benchmark(Baseline = true)]
    public int Write()
    {
        _writer.Begin(new CheckpointHeader("WordCount", 0x5EED, ++_batch, _batch * 1000));
        var section = _writer.BeginSection("Count");
        section.BeginShards(1);
        section.BeginShard(_table.Count);
        for (int i = 0; i < _table.Count; i++)
        {
            section.WriteKey(_table.KeyAt(i));
            section.WriteUnmanaged(_table.ValueAt(i));
        }

        section.End();
        return _writer.Complete().Length;
    }

    /// <summary>Writes the state and makes it durable: temporary file, fsync, rename, directory fsync, retention.</summary>
    [Benchmark]
    public string WriteDurable()
    {
        Write();
        return _directory.Write(_writer);
    }

    /// <summary>Checks a checkpoint held in memory (every checksum) and reads every entry.</summary>
    [Benchmark]
    public long Read()
    {
        using var reader = CheckpointReader.FromBytes(_file, "memory", "WordCount");
        var section = reader.GetSection("Count");
        section.BeginShards();
        long sum = 0;
        while (section.MoveNextEntry())
        {
            sum += section.ReadKey().Length + section.ReadUnmanaged<long>();
        }

        section.End();
        return sum;
    }

    /// <summary>Loads the newest checkpoint from the directory and restores it into a new table.</summary>
    [Benchmark]
    public int Restore()
    {
        if (!_directory.TryLoadLatest(out CheckpointReader? reader))
        {
            throw new InvalidOperationException("The benchmark's checkpoint directory is empty.");
        }

        using (reader)
        {
            var section = reader!.GetSection("Count");
            section.BeginShards();
            var table = new ByteKeyTable<long>(Keys);
            while (section.MoveNextEntry())
            {
                ReadOnlySpan<byte> key = section.ReadKey();
                table.GetValueRefOrAddDefault(key, out _) = section.ReadUnmanaged<long>();
            }

            section.End();
            return table.Count;
        }
    }

    /// <summary>Removes the checkpoint directory.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _writer.Dispose();
        if (_directoryPath.Length > 0 && Directory.Exists(_directoryPath))
        {
            Directory.Delete(_directoryPath, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
