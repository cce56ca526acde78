using System.Buffers.Binary;
using Compiled.Connectors;
using Compiled.Connectors.Messages;

[assembly: SourceConnector("memparts", typeof(Compiled.Tests.Connectors.Messages.PartitionedMemorySourceFactory), Usage = "memparts:NAME?partitions=K")]

namespace Compiled.Tests.Connectors.Messages;

/// <summary>Creates <c>memparts:NAME</c> sources, registered as <c>memq:</c> is.</summary>
internal sealed class PartitionedMemorySourceFactory : ISourceFactory
{
    /// <inheritdoc />
    public static Source Create(ConnectorUri uri, SourceContext context) => new PartitionedMemorySource(uri, context);
}

/// <summary>
/// A message source of partitions of its own, as a Kafka topic is, over a <see cref="MemoryMessageLog"/>:
/// <c>memparts:NAME?partitions=K</c> reads the log's messages, message i in partition i mod K, and ends at the log's end.
/// On a run of N partitions (<see cref="OpenForPartitions"/>) its partition k is read by the run's partition k mod N, a
/// reader each; each run's partition reads its messages in the log's order. It notes which of the run's partitions
/// took each message (<see cref="TakenBy"/>), so a test can see the share each had.
/// </summary>
internal sealed class PartitionedMemorySource : MessageSource
{
    private readonly MemoryMessageLog _log;
    private readonly int _partitions;
    private int[] _next = [0];   // [lane]: the index of the next message to look at for the run's partition
    private readonly Dictionary<int, int> _takenBy = [];
    private readonly Lock _gate = new();

    public PartitionedMemorySource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        if (!MemoryMessageLog.TryFind(uri.Target, out MemoryMessageLog? log))
        {
            throw uri.Error($"there is no message log named '{uri.Target}'; create one with MemoryMessageLog.Create()");
        }

        _log = log;
        _partitions = uri.TakeInt32("partitions", 1, minimum: 1);
    }

    /// <summary>Which of the run's partitions took each message, by the message's index in the log.</summary>
    public IReadOnlyDictionary<int, int> TakenBy
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<int, int>(_takenBy);
            }
        }
    }

    /// <inheritdoc />
    public override bool HasPartitionsOfItsOwn => true;

    /// <inheritdoc />
    public override (int Partitions, string? Reason) PartitionsFor(int wanted) =>
        _partitions >= wanted ? (wanted, null) : (_partitions, $"source {Uri.Text} has {_partitions} partitions");

    /// <inheritdoc />
    public override IReadOnlyList<MessageSource> OpenForPartitions(int count)
    {
        _next = new int[count];
        return [.. Enumerable.Range(1, count - 1).Select(lane => new Reader(this, lane))];
    }

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => new(HasMore(0));

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch) => TryRead(0, batch);

    // Whether a message of the lane is left.
    private bool HasMore(int lane) => Next(lane, _next[lane]) < _log.Count;

    // The index of the first message of the lane at or after `from`.
    private int Next(int lane, int from)
    {
        int count = _log.Count;
        while (from < count && from % _partitions % _next.Length != lane)
        {
            from++;
        }

        return from;
    }

    private bool TryRead(int lane, MessageBatch batch)
    {
        Span<byte> position = stackalloc byte[8];
        bool added = false;
        int next = Next(lane, _next[lane]);
        while (next < _log.Count && !batch.IsFull)
        {
            MemoryMessageLog.Entry entry = _log[next];
            BinaryPrimitives.WriteInt64LittleEndian(position, next + 1);
            added |= batch.Add(entry.Payload, entry.Timestamp, position);
            lock (_gate)
            {
                _takenBy[next] = lane;
            }

            next = Next(lane, next + 1);
        }

        _next[lane] = next;
        return added;
    }

    // What partition `lane` of the run reads: the source's partitions k with k mod N = lane.
    private sealed class Reader(PartitionedMemorySource source, int lane) : MessageSource(source.Uri, source.Context)
    {
        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => new(source.HasMore(lane));

        public override bool TryRead(MessageBatch batch) => source.TryRead(lane, batch);
    }
}
