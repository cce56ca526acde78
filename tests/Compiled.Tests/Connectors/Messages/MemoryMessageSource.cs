using System.Buffers.Binary;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;

[assembly: SourceConnector("memq", typeof(Compiled.Tests.Connectors.Messages.MemoryMessageSourceFactory), Usage = "memq:NAME?follow=true&batch=N")]

namespace Compiled.Tests.Connectors.Messages;

/// <summary>
/// Creates <c>memq:NAME</c> sources. Declared with <see cref="SourceConnectorAttribute"/> above, so the generated module
/// initializer of this test assembly registers it, as it registers a connector package's factory.
/// </summary>
internal sealed class MemoryMessageSourceFactory : ISourceFactory
{
    /// <inheritdoc />
    public static Source Create(ConnectorUri uri, SourceContext context) => new MemoryMessageSource(uri, context);
}

/// <summary>
/// A message source over a <see cref="MemoryMessageLog"/>: <c>memq:NAME</c> reads the log's messages in order, up to
/// <c>batch</c> at a time (default: as many as the batch holds), and ends at the log's end, as a file does; with
/// <c>follow=true</c> it waits for more instead, until the run stops; with <c>failAfter=N</c> its read after the first N
/// that handed messages over fails, as a connector whose server goes away would. Replayable: its position is the number of
/// messages taken, eight bytes, and it resumes after them. It checks what the run promises a message source: it is
/// asked for more only once the job has taken what it gave (<see cref="AskedBeforeTaken"/> counts the times it was not).
/// </summary>
internal sealed class MemoryMessageSource : MessageSource
{
    private readonly MemoryMessageLog _log;
    private readonly bool _follow;
    private readonly int _perRead;
    private readonly int _failAfter;
    private int _next;   // the index of the next message to hand over
    private int _taken;  // the messages the job has taken
    private bool _started;

    public MemoryMessageSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        if (!MemoryMessageLog.TryFind(uri.Target, out MemoryMessageLog? log))
        {
            throw uri.Error($"there is no message log named '{uri.Target}'; create one with MemoryMessageLog.Create() and use its Uri()");
        }

        _log = log;
        _follow = uri.TakeBoolean("follow", false);
        _perRead = uri.TakeInt32("batch", int.MaxValue, minimum: 1);
        _failAfter = uri.TakeInt32("failAfter", int.MaxValue, minimum: 0);
    }

    /// <summary>Batches handed over (TryRead calls that added messages).</summary>
    public int Reads { get; private set; }

    /// <summary>Times the source was asked for messages while the job had not taken all it was given.</summary>
    public int AskedBeforeTaken { get; private set; }

    /// <summary>The positions the run said were checkpointed, as message counts, in order.</summary>
    public List<long> Checkpointed { get; } = [];

    /// <inheritdoc />
    public override SourceReplay Replay => SourceReplay.Replayable;

    /// <inheritdoc />
    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        _started = true;
        if (_log.Count > _next)
        {
            return true;
        }

        if (!_follow)
        {
            return false;
        }

        await _log.WhenMoreThan(_next).WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch)
    {
        if (_taken != _next)
        {
            AskedBeforeTaken++;
        }

        if (Reads == _failAfter)
        {
            throw new IOException($"Source {Uri.Text} lost its server after {Reads} reads (failAfter)");
        }

        Span<byte> position = stackalloc byte[8];
        int added = 0;
        int available = _log.Count;
        while (_next < available && added < _perRead && !batch.IsFull)
        {
            MemoryMessageLog.Entry entry = _log[_next];
            BinaryPrimitives.WriteInt64LittleEndian(position, _next + 1);
            if (entry.Key is { } key)
            {
                batch.Add(entry.Payload, key, entry.Timestamp, position);
            }
            else
            {
                batch.Add(entry.Payload, entry.Timestamp, position);
            }

            _next++;
            added++;
        }

        if (added > 0)
        {
            Reads++;
        }

        return added > 0;
    }

    /// <inheritdoc />
    protected override void OnTaken(MessageBatch batch) =>
        _taken = (int)BinaryPrimitives.ReadInt64LittleEndian(batch.LastPosition);

    /// <inheritdoc />
    public override SourcePosition GetPosition()
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _taken);
        return new SourcePosition(bytes, $"{Uri.Text} after message {_taken}");
    }

    /// <inheritdoc />
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (_started)
        {
            throw new InvalidOperationException($"Source {Uri.Text} has started reading; give it a position before.");
        }

        if (position.Payload.Length != 8)
        {
            throw new InvalidDataException($"The position '{position.Description}' is not one of a memq: source (8 bytes); start from a new checkpoint directory.");
        }

        _next = _taken = (int)BinaryPrimitives.ReadInt64LittleEndian(position.Payload.Span);
    }

    /// <inheritdoc />
    public override ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        Checkpointed.Add(BinaryPrimitives.ReadInt64LittleEndian(position.Payload.Span));
        return default;
    }
}
