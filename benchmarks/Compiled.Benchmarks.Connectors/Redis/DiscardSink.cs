using Compiled.Benchmarks.Connectors.Redis;
using Compiled.Connectors;
using Compiled.Sinks;

// The pipeline without a connector: what a pass-through costs on its own (reading, framing, the fused loop).
[assembly: SinkConnector("discard", typeof(DiscardSinkFactory), Usage = "discard:NAME")]

namespace Compiled.Benchmarks.Connectors.Redis;

/// <summary>Creates <c>discard:NAME</c> sinks.</summary>
public sealed class DiscardSinkFactory : ISinkFactory
{
    // Records still to be written before Written completes; far from zero while nobody waits.
    private static long s_toWrite = long.MaxValue;
    private static TaskCompletionSource? s_written;

    /// <summary>The records every discard sink of this process has committed so far.</summary>
    public static long Committed { get; internal set; }

    /// <summary>
    /// Completes once the discard sinks of this process have been written <paramref name="records"/> more records (as the
    /// job writes each, before its batch commits): how a harness learns that an unbounded source has given what it
    /// was to give, without waking to look again and again. One wait at a time.
    /// </summary>
    public static Task WrittenAsync(long records)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        s_written = written;
        Volatile.Write(ref s_toWrite, records);
        return written.Task;
    }

    // One record written: the wait, if any, completes at the last one it waits for.
    internal static void OneWritten()
    {
        if (--s_toWrite == 0)
        {
            s_written?.TrySetResult();
        }
    }

    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new DiscardSink(uri, context);
}

/// <summary>Counts its records and keeps nothing: a pipeline measured without what a sink does with its records.</summary>
internal sealed class DiscardSink(ConnectorUri uri, SinkContext context) : Sink(uri, context), IRecordWriter<KeyValue<long>>
{
    private long _count;

    public override void BeginBatch(long batchTimeMs) => _count = 0;

    public override void Write(ReadOnlySpan<byte> record)
    {
        _count++;
        DiscardSinkFactory.OneWritten();
    }

    public void Write(KeyValue<long> record)
    {
        _count += record.Key.Length > 0 ? 1 : 0;
        DiscardSinkFactory.OneWritten();
    }

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        DiscardSinkFactory.Committed += _count;
        _count = 0;
        return default;
    }
}
