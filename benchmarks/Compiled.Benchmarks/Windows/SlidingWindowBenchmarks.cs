using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;

namespace Compiled.Benchmarks.Windows;

/// <summary>
/// reduceByKeyAndWindow over 100,000 Zipf-distributed keys, in the steady state: one operation is one batch of
/// 100,000 <c>key value</c> lines (<c>Process</c>, then the batch boundary, where the window slides), on a job whose
/// window has long been full. A window of 10 batches (the pipelines' <c>Length = "10s", Slide = "1s"</c> at batches of
/// 1 s) and, to see how the cost grows with the window, of 30. The baseline is the window without an inverse, so
/// the Ratio column says what the inverse saves; the floor (no window) says what any keyed stage costs; the two
/// hand-written windows are the generated inverse's algorithm with the runtime's table (what the framework adds) and
/// an incremental window over <see cref="Dictionary{TKey, TValue}"/> (what the base library gives).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SlidingWindow")]
public class SlidingWindowBenchmarks
{
    private SlidingRunner _runner = null!;
    private CountingRecordSink _sink = null!;

    /// <summary>The window's length in batches (of 1 s); it slides by one batch.</summary>
    [Params(10, 30)]
    public int WindowBatches { get; set; }

    /// <summary>Sets up <see cref="Floor"/>.</summary>
    [GlobalSetup(Target = nameof(Floor))]
    public void SetupFloor() => Setup("floor");

    /// <summary>Sets up <see cref="Merged"/>.</summary>
    [GlobalSetup(Target = nameof(Merged))]
    public void SetupMerged() => Setup("merged");

    /// <summary>Sets up <see cref="Inverse"/>.</summary>
    [GlobalSetup(Target = nameof(Inverse))]
    public void SetupInverse() => Setup("inverse");

    /// <summary>Sets up <see cref="InverseUnfiltered"/>.</summary>
    [GlobalSetup(Target = nameof(InverseUnfiltered))]
    public void SetupInverseUnfiltered() => Setup("inverse-unfiltered");

    /// <summary>Sets up <see cref="HandWritten"/>.</summary>
    [GlobalSetup(Target = nameof(HandWritten))]
    public void SetupHandWritten() => Setup("hand-written");

    /// <summary>Sets up <see cref="HandWrittenTable"/>.</summary>
    [GlobalSetup(Target = nameof(HandWrittenTable))]
    public void SetupHandWrittenTable() => Setup("hand-written-table");

    /// <summary>Releases the job.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runner.Variant.Dispose();

    /// <summary>The same lines summed per key per batch, without a window (<see cref="BatchSum"/>): what any keyed stage costs.</summary>
    [Benchmark(Description = "Floor: reduceByKey, no window")]
    [Records(RecordKind.BatchRecords)]
    public long Floor() => Run();

    /// <summary><see cref="SlidingSumMerged"/>: each slide merges the window's per-batch tables.</summary>
    [Benchmark(Baseline = true, Description = "Window, merged (no Inverse)")]
    [Records(RecordKind.BatchRecords)]
    public long Merged() => Run();

    /// <summary><see cref="SlidingSumInverse"/>: Inverse and a filter dropping zeros.</summary>
    [Benchmark(Description = "Window, Inverse + Filter")]
    [Records(RecordKind.BatchRecords)]
    public long Inverse() => Run();

    /// <summary><see cref="SlidingSumInverseUnfiltered"/>: Inverse, no filter (zeros stay): a diagnostic.</summary>
    [Benchmark(Description = "Window, Inverse, no Filter (diagnostic)")]
    [Records(RecordKind.BatchRecords)]
    public long InverseUnfiltered() => Run();

    /// <summary><see cref="HandWrittenTableSlidingSum"/>: the generated <see cref="Inverse"/>'s algorithm by hand, with the same key table.</summary>
    [Benchmark(Description = "Hand-written ByteKeyTable, as Inverse + Filter")]
    [Records(RecordKind.BatchRecords)]
    public long HandWrittenTable() => Run();

    /// <summary><see cref="HandWrittenSlidingSum"/>: Dictionary, incremental, keys removed at 0.</summary>
    [Benchmark(Description = "Hand-written Dictionary, incremental")]
    [Records(RecordKind.BatchRecords)]
    public long HandWritten() => Run();

    /// <summary>Checks variant <paramref name="name"/> against sums computed from the lines, builds it, fills its window twice over and warms the JIT.</summary>
    internal void Setup(string name)
    {
        KeyedStream input = KeyedStream.Zipf;
        Console.WriteLine($"// Input: {input}");
        if (!JitWarmUp.Quick)
        {
            WindowChecks.CheckSliding(name, WindowBatches, input);
        }

        _sink = new CountingRecordSink();
        _runner = new SlidingRunner(input, SlidingVariants.Create(name, WindowBatches, _sink));
        for (int i = 0; i < 2 * (WindowBatches + 1); i++)
        {
            _runner.RunBatch();
        }

        JitWarmUp.Run(_runner.RunBatch);
        if (_sink.TextRecords != 0)
        {
            throw new InvalidOperationException("The job wrote text records; the sink takes KeyValue<long> records.");
        }
    }

    private long Run()
    {
        _runner.RunBatch();
        return _sink.Records;
    }
}
