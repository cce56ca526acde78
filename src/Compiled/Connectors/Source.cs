using System.IO.Pipelines;
using Compiled.Checkpoints;
using Compiled.Framing;

namespace Compiled.Connectors;

/// <summary>
/// A connector that delivers a source's bytes as a sequence of streams: one per connection (a socket
/// that reconnects yields a new stream each time) or one per file. A bounded source (a file, a glob,
/// standard input) ends; an unbounded one (a socket, a watched directory) waits for more until stopped.
/// </summary>
/// <remarks>
/// A source that can be read again (<see cref="Replay"/>) reports, at each batch boundary, the
/// <see cref="SourcePosition"/> up to which its records are in the batch (<see cref="GetPosition"/>), and a new
/// source of the same URI can be given that position before it is read (<see cref="ResumeFrom"/>), so that it
/// delivers exactly the records after it. A position is measured in the bytes of each stream that the reading loop
/// has handed to the job (<see cref="SourceStream.Consumed"/>), which always end at a record's end: a record is in
/// a batch whole or not at all.
/// </remarks>
public abstract class Source : IAsyncDisposable
{
    /// <summary>Creates a source for <paramref name="uri"/>.</summary>
    protected Source(ConnectorUri uri, SourceContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        Uri = uri;
        Context = context;
        Framing = new FramingOptions(
            uri.TakeInt32("maxRecordBytes", FramingOptions.DefaultMaxRecordBytes, minimum: 1),
            uri.TakeEnum("onOversize", OversizePolicy.Fail));
        string? onBadRecord = uri.TakeString("onBadRecord");
        if (onBadRecord is not null)
        {
            OnBadRecord = BadRecordPolicyText.Parse(onBadRecord)
                ?? throw uri.Error($"option 'onBadRecord={onBadRecord}' of source URI '{uri.Text}' is not a policy; write {BadRecordPolicyText.Words}");
        }
    }

    /// <summary>
    /// What a record of this source that does not parse does, from the URI's <c>onBadRecord</c> option (<c>fail</c>,
    /// <c>skip</c> or <c>dead-letter</c>), overriding what the pipeline declares; <see langword="null"/> when not given.
    /// </summary>
    public BadRecordPolicy? OnBadRecord { get; }

    /// <summary>The URI the source was created from.</summary>
    public ConnectorUri Uri { get; }

    /// <summary>What the source was given to work with: clock, logging, standard input.</summary>
    protected SourceContext Context { get; }

    /// <summary>
    /// How the source's records are cut: limits from the URI (<c>maxRecordBytes</c>, <c>onOversize</c>), and what the
    /// bytes after a stream's last line end are, which a connector that knows its streams can be cut short sets.
    /// </summary>
    public FramingOptions Framing { get; protected init; }

    /// <summary>Totals for this source: records, bytes, streams, reconnects.</summary>
    public SourceCounters Counters { get; } = new();

    /// <summary>
    /// Waits for the next stream (the next connection, the next file) and returns it, or returns
    /// <see langword="null"/> when a bounded source has delivered everything. Cancelling
    /// <paramref name="cancellationToken"/> stops the wait with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public abstract ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the source can be read again from a <see cref="SourcePosition"/>, and if not, why. By default a source
    /// is not replayable; one that is overrides this, <see cref="GetPosition"/> and <see cref="ResumeFrom"/>.
    /// </summary>
    public virtual SourceReplay Replay => SourceReplay.NotReplayable($"source {Uri.Text} does not report positions to resume from");

    /// <summary>
    /// The position up to which this source's records have been handed to the job: the first byte of each stream not
    /// yet consumed (<see cref="SourceStream.Consumed"/>), and what the source had finished before. Called at a batch
    /// boundary, on the thread that reads the source, between two buffers.
    /// </summary>
    /// <exception cref="NotSupportedException">The source is not replayable (<see cref="Replay"/> says why).</exception>
    public virtual SourcePosition GetPosition() => throw NotReplayable();

    /// <summary>
    /// Has the source continue from <paramref name="position"/>, a position an earlier source of the same URI reported,
    /// instead of from its beginning. Called once, before the first <see cref="NextStreamAsync"/>. A position that no
    /// longer fits the input (a file that is gone or was changed) is reported when the source starts reading.
    /// </summary>
    /// <exception cref="NotSupportedException">The source is not replayable (<see cref="Replay"/> says why).</exception>
    /// <exception cref="InvalidDataException">The position was not written by a source of this kind and URI.</exception>
    /// <exception cref="InvalidOperationException">The source has already started reading.</exception>
    public virtual void ResumeFrom(SourcePosition position) => throw NotReplayable();

    /// <summary>
    /// Called when the checkpoint that holds <paramref name="position"/> (a position <see cref="GetPosition"/> gave) is
    /// durable and its batch's sinks have committed: what comes before it will never be read again. A source that keeps
    /// a log trims it here; one whose server tracks progress acknowledges or commits up to it (Kafka offsets, Redis
    /// stream entries). Called on the run's loop, between batches. Does nothing by default.
    /// </summary>
    public virtual ValueTask CheckpointedAsync(SourcePosition position, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Called after each batch is committed (its sinks committed and, with a checkpoint, after
    /// <see cref="CheckpointedAsync"/>), with or without a checkpoint: everything the source handed the job so far is
    /// in committed output. A source whose server tracks delivery and that keeps no checkpoint acknowledges here, so a
    /// crash before the commit delivers the batch's messages again (at least once) rather than losing them. Called on
    /// the run's loop, between batches. Does nothing by default.
    /// </summary>
    public virtual ValueTask BatchCommittedAsync(CancellationToken cancellationToken) => default;

    /// <summary>Releases whatever the source holds open.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }

    private NotSupportedException NotReplayable() =>
        new($"Source {Uri.Text} is not replayable: {Replay.Reason}; run it without a checkpoint, or read the input from a replayable source such as a file.");
}

/// <summary>Whether a source can be read again from a <see cref="SourcePosition"/>, and if not, why.</summary>
/// <param name="IsReplayable">Whether the source reports positions and resumes from them.</param>
/// <param name="Reason">Why it cannot, in words for a log or an error (<c>standard input cannot be read again</c>); <see langword="null"/> when it can.</param>
public readonly record struct SourceReplay(bool IsReplayable, string? Reason)
{
    /// <summary>The source reports positions and resumes from them.</summary>
    public static SourceReplay Replayable => new(true, null);

    /// <summary>The source cannot be read again, for <paramref name="reason"/>.</summary>
    public static SourceReplay NotReplayable(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(false, reason);
    }
}

/// <summary>One stream of a source's bytes: a connection or a file, read through a <see cref="PipeReader"/>.</summary>
public sealed class SourceStream : IAsyncDisposable
{
    /// <summary>Creates a stream named <paramref name="name"/> (used in logs and errors) over <paramref name="reader"/>.</summary>
    /// <param name="name">What the stream is: a file path, <c>tcp://host:port</c>, <c>stdin:</c>.</param>
    /// <param name="reader">The bytes. Completing it releases what it reads from (a socket, a file).</param>
    public SourceStream(string name, PipeReader reader)
    {
        Name = name;
        Reader = reader;
    }

    /// <summary>What the stream is, for logs and errors.</summary>
    public string Name { get; }

    /// <summary>The stream's bytes.</summary>
    public PipeReader Reader { get; }

    /// <summary>
    /// How many bytes from the stream's start have been handed to the job as whole records: the offset of the first
    /// byte whose record is not yet in a batch. The reading loop advances it after each buffer (<see cref="Advance"/>);
    /// a source reads it to report its position.
    /// </summary>
    public long Consumed { get; private set; }

    /// <summary>Whether the stream has been read to its end and every record of it handed to the job.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// Records that the records of <paramref name="bytes"/> more bytes have been handed to the job, and whether that was
    /// the stream's end. Called by whatever reads the stream into the job (the run's reading loop), after each buffer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The stream has already ended.</exception>
    public void Advance(long bytes, bool ended)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (Ended)
        {
            throw new InvalidOperationException($"Stream {Name} has ended; nothing more of it can be consumed.");
        }

        Consumed += bytes;
        Ended = ended;
    }

    /// <summary>Completes the reader, which releases the stream.</summary>
    public ValueTask DisposeAsync() => Reader.CompleteAsync();
}

/// <summary>
/// A source cannot resume from the position it was given because its input no longer fits it: the file it was
/// reading is gone, shorter, or changed. The message names the input and what to do.
/// </summary>
public sealed class SourcePositionException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/>, which names the input and the remedy.</summary>
    public SourcePositionException(string message)
        : base(message)
    {
    }
}
