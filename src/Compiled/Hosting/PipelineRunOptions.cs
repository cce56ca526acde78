using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compiled.Hosting;

/// <summary>Where a run's sources and sinks point, and what it runs with. Every setting has a default.</summary>
public sealed class PipelineRunOptions
{
    /// <summary>Overrides the pipeline's declared batch interval.</summary>
    public TimeSpan? BatchInterval { get; set; }

    /// <summary>Source URIs by source name; a source not named here reads its declared default.</summary>
    public IDictionary<string, string> SourceUris { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Sink URIs by sink name; a sink not named here writes to its declared default.</summary>
    public IDictionary<string, string> SinkUris { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The clock batches are cut by. Tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the run logs.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Opens what <c>stdin:</c> reads; the process's standard input by default.</summary>
    public Func<Stream>? OpenStandardInput { get; set; }

    /// <summary>Opens what the <c>console</c> sink writes to; the process's standard output by default.</summary>
    public Func<Stream>? OpenStandardOutput { get; set; }

    /// <summary>The directory relative <c>file:</c> paths are resolved against; the current directory by default.</summary>
    public string? CurrentDirectory { get; set; }

    /// <summary>
    /// The checkpoint directory (relative paths against <see cref="CurrentDirectory"/>): after each batch the run records
    /// there the state after it and where each source was, and a new run resumes from the last complete batch. Overrides
    /// the pipeline's declared one (<c>[Pipeline(Checkpoint = ...)]</c>); with neither, the run keeps no checkpoint.
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>
    /// The dead-letter sink (<c>--dead-letters</c>): a file path or <c>file://</c> URI (relative paths against
    /// <see cref="CurrentDirectory"/>) that bad records under <see cref="BadRecordPolicy.DeadLetter"/> are appended to, one
    /// JSON line each. Unset: <c>dead-letters.jsonl</c> in the checkpoint directory when the run keeps one; otherwise none,
    /// and DeadLetter counts and skips.
    /// </summary>
    public string? DeadLetters { get; set; }

    /// <summary>
    /// The policy every guarded stage takes for an exception on one record, whatever it declares (<c>--on-error</c>):
    /// <see cref="BadRecordPolicy.Fail"/>, <see cref="BadRecordPolicy.Skip"/> or <see cref="BadRecordPolicy.DeadLetter"/>.
    /// Unset: each stage's own (its <c>OnError</c>, else the pipeline's).
    /// </summary>
    public BadRecordPolicy? OnError { get; set; }

    /// <summary>The most partitions a run may ask for.</summary>
    public const int MaxParallelism = 256;

    /// <summary>
    /// The partitions a run uses unless <see cref="Parallelism"/> is set: the number of cores (at most
    /// <see cref="MaxParallelism"/>).
    /// </summary>
    public static int DefaultParallelism => Math.Clamp(Environment.ProcessorCount, 1, MaxParallelism);

    /// <summary>
    /// How many partitions read and process the input side by side, each on its own thread (<c>--parallelism</c>). A
    /// pipeline whose per-record part ends in keyed tables, counts or sinks that merge, reading files, splits its files
    /// into this many byte ranges cut at line ends and merges the partitions' partials at each batch boundary; reading one
    /// Kafka topic (when this is set), it spreads the topic's partitions over this many partitions, or as many as the
    /// topic has; reading one byte stream (<c>tcp://</c> without a write-ahead log, <c>stdin:</c>; when this is set), one
    /// reader deals blocks of whole lines to this many partitions; any other runs on one partition (<see cref="PipelineDefinition.SinglePartitionReason"/>), and logs why
    /// when this was set. A run resumed from a checkpoint of files written on N partitions runs on N. Unset, it is
    /// <see cref="DefaultParallelism"/>, the number of cores, and a run takes no more partitions than its input has
    /// <see cref="MinBytesPerDefaultPartition"/> for (a Kafka topic or a byte stream stays on one); set, a run that can split takes exactly
    /// this many.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above <see cref="MaxParallelism"/>.</exception>
    public int Parallelism
    {
        get => _parallelism ?? DefaultParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxParallelism);
            _parallelism = value;
        }
    }

    /// <summary>Whether <see cref="Parallelism"/> was set, rather than left at the number of cores.</summary>
    public bool ParallelismIsSet => _parallelism is not null;

    /// <summary>
    /// With <see cref="Parallelism"/> unset, how many bytes of input each partition is given at the least: a run over
    /// less input than two partitions' worth runs on one, where a thread of its own and a merge would cost more than
    /// they gain.
    /// </summary>
    public const long MinBytesPerDefaultPartition = 4L << 20;

    /// <summary>
    /// On several partitions, how many bytes of records one more partition keeps for the sinks its fused loop writes to
    /// before the batch ends early: each partition's records wait in a buffer of its own until the batch boundary, where
    /// they are written after the records of the partitions before it, so that a batch keeps the input's order. A
    /// partition that holds more parks and asks for the boundary, which writes its buffers out. The records it keeps for
    /// a <c>[MapWithState]</c> stage, which the job maps at the boundary, count too. Default 64 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long PartitionSinkBufferBytes
    {
        get => _partitionSinkBufferBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _partitionSinkBufferBytes = value;
        }
    }

    /// <summary>The default of <see cref="PartitionSinkBufferBytes"/>: 64 MiB.</summary>
    public const long DefaultPartitionSinkBufferBytes = 64L << 20;

    /// <summary>
    /// The most bytes of input one batch takes (<c>--max-batch-bytes</c>), as Spark's <c>maxBytesPerTrigger</c>: a batch
    /// that has read this many ends then, before its interval is up, and the next batch goes on from there. Replaying a
    /// file (or anything read faster than it is written) so comes in batches of a bounded size: windows close and state
    /// moves on as the replay goes, and memory follows a batch, not the whole input. A batch ends at a read's end, so it
    /// may take a read more (256 KiB). On N partitions the files are cut at line ends into sections of this many bytes
    /// (at least 64 KiB), each split into one range per partition; the partitions read a section together, and a batch
    /// ends at each section's end, so they move through the input (and its event time) together. Batches that end early are
    /// labelled with consecutive batch times, which may run ahead of the clock. Unset (<see langword="null"/>): no bound.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public long? MaxBatchBytes
    {
        get => _maxBatchBytes;
        set
        {
            if (value is long bytes)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
            }

            _maxBatchBytes = value;
        }
    }

    private long? _maxBatchBytes;
    private int? _parallelism;
    private long _partitionSinkBufferBytes = DefaultPartitionSinkBufferBytes;
}
