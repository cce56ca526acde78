using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;

namespace Compiled.Benchmarks.Windows;

/// <summary>
/// The event-time tumbling count (<c>[EventTime(Lateness = "5s")]</c>, <c>[EventWindow(Size = "1m")]</c>) over 100,000
/// Zipf-distributed keys, in the steady state. One operation is one minute of the stream, 60 batches of 100,000 lines,
/// so that it holds exactly one window's close; <c>OperationsPerInvoke = 60</c> makes the mean per batch. Between
/// operations, <see cref="Prepare"/> rewrites the stream's timestamps for the next minute, outside the measurement.
/// The baseline is the hand-written count with the runtime's table, so the Ratio column is what the framework adds.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("EventTime")]
[InvocationCount(1)]
public class EventTimeBenchmarks
{
    private EventRunner _runner = null!;
    private CountingRecordSink _sink = null!;

    /// <summary>Sets up <see cref="Floor"/>.</summary>
    [GlobalSetup(Target = nameof(Floor))]
    public void SetupFloor() => Setup("event-floor");

    /// <summary>Sets up <see cref="Compiled"/>.</summary>
    [GlobalSetup(Target = nameof(Compiled))]
    public void SetupCompiled() => Setup("event-compiled");

    /// <summary>Sets up <see cref="HandWritten"/>.</summary>
    [GlobalSetup(Target = nameof(HandWritten))]
    public void SetupHandWritten() => Setup("event-hand-written");

    /// <summary>Moves the stream to the next operation's minute.</summary>
    [IterationSetup]
    public void Prepare() => _runner.Prepare();

    /// <summary>Releases the job.</summary>
    [GlobalCleanup]
    public void Cleanup() => _runner.Variant.Dispose();

    /// <summary>The same lines, the timestamp parsed, counted per key per batch without event time (<see cref="EventLinesCount"/>).</summary>
    [Benchmark(OperationsPerInvoke = EventStream.BatchesPerPeriod, Description = "Floor: parse time, reduceByKey per batch")]
    [Records(RecordKind.BatchRecords)]
    public long Floor() => Run();

    /// <summary>The generated job of <see cref="EventTimeCount"/>.</summary>
    [Benchmark(OperationsPerInvoke = EventStream.BatchesPerPeriod, Description = "Compiled: [EventTime] + [EventWindow(1m)]")]
    [Records(RecordKind.BatchRecords)]
    public long Compiled() => Run();

    /// <summary><see cref="HandWrittenEventTimeCount"/>: the same work by hand, with the same key table.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = EventStream.BatchesPerPeriod, Description = "Hand-written, ByteKeyTable per minute")]
    [Records(RecordKind.BatchRecords)]
    public long HandWritten() => Run();

    /// <summary>Checks variant <paramref name="name"/> against counts computed from the lines, builds it, runs a minute, warms the JIT, and ends at a minute's start.</summary>
    internal void Setup(string name)
    {
        EventStream input = EventStream.Shared;
        Console.WriteLine($"// Input: {input}");
        if (!JitWarmUp.Quick)
        {
            WindowChecks.CheckEvents(name, input);
        }

        _sink = new CountingRecordSink();
        _runner = new EventRunner(input, EventVariants.Create(name, _sink));
        _runner.RunPeriod();
        JitWarmUp.Run(() =>
        {
            _runner.Prepare();
            _runner.RunBatch();
        });
        _runner.RunPeriod();
        if (_sink.TextRecords != 0 || _runner.Variant.LateRecords != 0)
        {
            throw new InvalidOperationException($"The job wrote {_sink.TextRecords} text records and found {_runner.Variant.LateRecords} late records; expected none.");
        }
    }

    private long Run()
    {
        _runner.RunPeriod();
        return _sink.Records;
    }
}
