using System.IO.Pipelines;
using Compiled.Framing;

namespace Compiled.Connectors;

/// <summary>
/// A connector that delivers a source's bytes as a sequence of streams: one per connection (a socket
/// that reconnects yields a new stream each time) or one per file. A bounded source (a file, a glob,
/// standard input) ends; an unbounded one (a socket, a watched directory) waits for more until stopped.
/// </summary>
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
    }

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

    /// <summary>Releases whatever the source holds open.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
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

    /// <summary>Completes the reader, which releases the stream.</summary>
    public ValueTask DisposeAsync() => Reader.CompleteAsync();
}
