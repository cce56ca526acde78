using System.IO.Pipelines;
using Compiled.Checkpoints;
using Compiled.Connectors.WriteAheadLog;
using Microsoft.Extensions.Logging;

namespace Compiled.Connectors.Tcp;

/// <remarks>
/// <para>
/// The write-ahead log (<c>wal=true</c>). A connection cannot be read again, so with <c>wal=true</c> every byte
/// received is appended to a log in the run's checkpoint directory, <c>&lt;checkpoint&gt;/wal/&lt;source name&gt;/</c>,
/// before the job sees it, and where each connection ended is recorded too (see <see cref="WriteAheadLogDirectory"/>).
/// The source then is replayable: its position is the place in the log up to which its records are in a batch
/// (connection number and byte, always at a record's end). On restart (<see cref="ResumeFrom"/>) the source first
/// replays the log from the checkpoint's position, one stream per logged connection, cut into records as the first
/// reading was; then it connects as usual. A connection that was open when the job died ends where the log ends, as it
/// did for the sender; the bytes after its last line end are then a record cut short (<c>onPartial</c>). Without a
/// checkpoint to resume from, the whole log is replayed: nothing in it was recorded as done.
/// </para>
/// <para>
/// The log is trimmed when a checkpoint is durable (<see cref="CheckpointedAsync"/>): whole segments before the
/// position of the checkpoint before that one are deleted, so that the previous checkpoint, which the checkpoint
/// directory keeps as a way back, can still be resumed from. Reconnecting behaves as without the log.
/// </para>
/// </remarks>
public sealed partial class TcpSource
{
    private WriteAheadLogDirectory? _wal;
    private WriteAheadLogReplay? _replay;
    private WriteAheadLogPosition? _resumeAt;
    private WriteAheadLogPosition? _previousCheckpointed;
    private SourceStream? _stream;
    private WriteAheadLogPosition _streamStart;
    private bool _walStarted;

    /// <summary>
    /// Whether the source keeps a write-ahead log of what it receives (<c>wal=true</c>), which makes it replayable. It
    /// needs the run's checkpoint directory (<see cref="SourceContext.CheckpointDirectory"/>).
    /// </summary>
    public bool WriteAhead { get; }

    /// <summary>The directory of the write-ahead log: <c>&lt;checkpoint&gt;/wal/&lt;source name&gt;</c>; <see langword="null"/> without <c>wal=true</c>.</summary>
    public string? WriteAheadLogPath { get; }

    // The size at which the log starts a new segment; tests make it small to see segments trimmed.
    internal long WriteAheadSegmentBytes { get; init; } = WriteAheadLogDirectory.DefaultSegmentBytes;

    /// <summary>
    /// With <c>wal=true</c>: the place in the write-ahead log up to which the records have been handed to the job (the
    /// connection being read and its first unconsumed byte, or the next connection once one ended).
    /// </summary>
    /// <exception cref="NotSupportedException">The source keeps no write-ahead log.</exception>
    public override SourcePosition GetPosition()
    {
        if (!WriteAhead)
        {
            return base.GetPosition();
        }

        WriteAheadLogPosition position = _stream is { } stream
            ? stream.Ended
                ? new WriteAheadLogPosition(_streamStart.Connection + 1, 0)
                : _streamStart with { Offset = _streamStart.Offset + stream.Consumed }
            : _resumeAt ?? OpenWriteAheadLog().Start;
        return position.ToSourcePosition(Name);
    }

    /// <summary>With <c>wal=true</c>: replays the write-ahead log from <paramref name="position"/> before connecting.</summary>
    /// <exception cref="NotSupportedException">The source keeps no write-ahead log.</exception>
    /// <exception cref="InvalidDataException">The position was not written by a source with a write-ahead log.</exception>
    /// <exception cref="InvalidOperationException">The source has started reading.</exception>
    public override void ResumeFrom(SourcePosition position)
    {
        if (!WriteAhead)
        {
            base.ResumeFrom(position);
            return;
        }

        if (_walStarted)
        {
            throw new InvalidOperationException($"Source {Name} has started reading; it can be given a position to resume from only before.");
        }

        _resumeAt = WriteAheadLogPosition.FromSourcePosition(position, Name);
    }

    /// <summary>
    /// With <c>wal=true</c>: the checkpoint holding <paramref name="position"/> is durable, so the checkpoint before it
    /// is the oldest one kept; the log's segments before that one's position are deleted.
    /// </summary>
    public override ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken)
    {
        if (!WriteAhead)
        {
            return default;
        }

        try
        {
            WriteAheadLogPosition checkpointed = WriteAheadLogPosition.FromSourcePosition(position, Name);
            if (_previousCheckpointed is { } previous && _wal is { } wal)
            {
                int deleted = wal.TrimBefore(previous);
                if (deleted > 0)
                {
                    LogTrimmed(Name, deleted, previous.ToString());
                }
            }

            _previousCheckpointed = checkpointed;
            return default;
        }
        catch (Exception error)
        {
            return ValueTask.FromException(error);
        }
    }

    // Where the log lives: <checkpoint>/wal/<source name>, which needs a checkpoint directory.
    private static string WriteAheadLogPathOf(ConnectorUri uri, SourceContext context)
    {
        if (context.CheckpointDirectory is not { Length: > 0 } checkpoint)
        {
            throw uri.Error(
                $"tcp source URI '{uri.Text}' sets wal=true, which keeps a write-ahead log of the received data in the checkpoint directory, but the run keeps no checkpoint; " +
                "give one with --checkpoint DIR (or Checkpoint = \"DIR\" on [Pipeline]), or drop wal=true");
        }

        string name = context.SourceName.Length > 0 ? context.SourceName : "tcp";
        if (name.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
        {
            throw uri.Error($"tcp source '{name}' with wal=true needs a source name that is a valid file name, since its log is kept in wal/<source name>; rename the source");
        }

        return Path.Combine(checkpoint, "wal", name);
    }

    private WriteAheadLogDirectory OpenWriteAheadLog() =>
        _wal ??= WriteAheadLogDirectory.Open(WriteAheadLogPath!, WriteAheadSegmentBytes, Context.LoggerFactory.CreateLogger<WriteAheadLogDirectory>());

    // The next connection the log holds from the resume position, or null once the log is replayed (then the source
    // connects). The first call checks that the log covers the position.
    private SourceStream? NextReplayedStream()
    {
        if (!_walStarted)
        {
            _walStarted = true;
            WriteAheadLogDirectory log = OpenWriteAheadLog();
            WriteAheadLogPosition start = log.Start;
            WriteAheadLogPosition end = log.End;
            WriteAheadLogPosition from = _resumeAt ?? start;
            if (from < start)
            {
                throw new SourcePositionException(
                    $"The write-ahead log of {Name} in '{log.Path}' begins at {start}, after the checkpoint's position ({from}): the data between them was deleted. " +
                    "Start from a new checkpoint directory; what the checkpoint did not cover is lost.");
            }

            if (from > end)
            {
                throw new SourcePositionException(
                    $"The write-ahead log of {Name} in '{log.Path}' ends at {end}, before the checkpoint's position ({from}): the log was deleted or cut short after the checkpoint was written. " +
                    "Restore the log, or start from a new checkpoint directory.");
            }

            if (from < end)
            {
                try
                {
                    _replay = log.Replay(from);
                }
                catch (InvalidDataException error)
                {
                    throw new SourcePositionException(
                        $"The write-ahead log of {Name} in '{log.Path}' does not fit the checkpoint's position ({from}): {error.Message} Start from a new checkpoint directory.");
                }

                LogReplaying(Name, from.ToString(), end.ToString());
            }
        }

        if (_replay is null)
        {
            return null;
        }

        if (_replay.TryNextConnection(out WriteAheadLogPosition connectionStart, out Stream replayed))
        {
            _streamStart = connectionStart;
            var reader = PipeReader.Create(replayed, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: MinimumReadSize, leaveOpen: false));
            return _stream = new SourceStream(Name, reader);
        }

        _replay.Dispose();
        _replay = null;
        return null;
    }

    // A new connection's stream as the job reads it: through the log.
    private WriteAheadStream LoggedStream(TcpReceiveStream connection)
    {
        WriteAheadLogDirectory log = OpenWriteAheadLog();
        _walStarted = true;
        _streamStart = log.BeginConnection();
        return new WriteAheadStream(connection, log);
    }

    // Every stream handed to the job: with the log, remembered for the position.
    private SourceStream HandOut(SourceStream stream)
    {
        if (WriteAhead)
        {
            _stream = stream;
        }

        return stream;
    }

    private void DisposeWriteAheadLog()
    {
        _replay?.Dispose();
        _replay = null;
        _wal?.Dispose();
        _wal = null;
    }

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "{Source}: replaying the write-ahead log from {From} to {To} before connecting")]
    private partial void LogReplaying(string source, string from, string to);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "{Source}: deleted {Count} write-ahead log segments before {Position}, which no kept checkpoint needs")]
    private partial void LogTrimmed(string source, int count, string position);
}
