using System.IO.Pipelines;
using Compiled.Internal;
using Microsoft.Extensions.Logging;

namespace Compiled.Connectors.Stdin;

/// <summary>
/// <c>stdin:</c>: the process's standard input, read to its end as one stream. The source is bounded: after
/// that stream, <see cref="NextStreamAsync"/> returns <see langword="null"/>.
/// </summary>
/// <remarks>
/// <para>
/// Reads of the console's standard input are neither asynchronous nor cancellable on Unix: an asynchronous
/// read would block a thread-pool thread for as long as the terminal is quiet, and nothing could cut it
/// short. So a dedicated thread copies standard input into a <see cref="Pipe"/> with blocking reads, and the
/// run reads the pipe, whose reads are asynchronous and honour both cancellation and
/// <see cref="PipeReader.CancelPendingRead"/>.
/// </para>
/// <para>
/// The copying thread is a background thread, so it never keeps the process alive. When the pipe's reader
/// completes, the thread stops at its next read's return; if standard input stays silent it stays blocked
/// in that read until data or end of input arrives. Nothing safer can wake it: closing the descriptor under
/// a blocked read is a race with whatever reuses it.
/// </para>
/// </remarks>
public sealed partial class StdinSource : Source
{
    /// <summary>The name of the stream this source returns.</summary>
    public const string StreamName = "stdin:";

    // A terminal delivers a line per read, a redirected file up to a whole segment; a large segment serves
    // the latter, and the pause threshold bounds memory when the job reads slower than the input arrives.
    private const int SegmentSize = 64 * 1024;
    private const long PauseWriterThreshold = 1024 * 1024;
    private const long ResumeWriterThreshold = 512 * 1024;

    private readonly ILogger _logger;
    private bool _delivered;

    /// <summary>Checks <paramref name="uri"/>: <c>stdin:</c> takes no target and only the framing options.</summary>
    /// <exception cref="ConnectorUriException">The URI names a target.</exception>
    public StdinSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        if (uri.Target.Length != 0)
        {
            throw uri.Error($"stdin source URI '{uri.Text}' names '{uri.Target}', but standard input has no target; write stdin:");
        }

        _logger = context.LoggerFactory.CreateLogger<StdinSource>();
    }

    /// <summary>Standard input is not replayable: what was read from it is gone.</summary>
    public override SourceReplay Replay => SourceReplay.NotReplayable("standard input cannot be read again");

    /// <summary>Returns standard input as a stream the first time, <see langword="null"/> after that.</summary>
    public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SourceStream?>(cancellationToken);
        }

        if (_delivered)
        {
            return new ValueTask<SourceStream?>((SourceStream?)null);
        }

        _delivered = true;
        Stream input;
        try
        {
            input = Context.OpenStandardInput();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return ValueTask.FromException<SourceStream?>(error);
        }

        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: PauseWriterThreshold,
            resumeWriterThreshold: ResumeWriterThreshold,
            minimumSegmentSize: SegmentSize,
            useSynchronizationContext: false));
        var pump = new Thread(static state => ((Pump)state!).Run())
        {
            IsBackground = true,
            Name = "Compiled stdin reader",
        };
        pump.Start(new Pump(input, pipe.Writer, this));
        return new ValueTask<SourceStream?>(new SourceStream(StreamName, pipe.Reader));
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "stdin: end of input after {Bytes} {ByteNoun}")]
    private partial void LogEnded(long bytes, string byteNoun);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "stdin: the job stopped reading after {Bytes} {ByteNoun}")]
    private partial void LogAbandoned(long bytes, string byteNoun);

    // The copy loop, run on its own thread: blocking reads into the pipe until end of input, a read error, or
    // the reader completing; the writer is completed in every case, with the error if there was one.
    private sealed class Pump(Stream input, PipeWriter writer, StdinSource source)
    {
        public void Run()
        {
            long total = 0;
            Exception? failure = null;
            try
            {
                while (true)
                {
                    Memory<byte> memory = writer.GetMemory(SegmentSize);
                    int read = input.Read(memory.Span);
                    if (read == 0)
                    {
                        source.LogEnded(total, Noun.Bytes(total));
                        break;
                    }

                    total += read;
                    writer.Advance(read);

                    // Blocking here is the point: this thread exists to wait, and the wait is how the pipe
                    // pushes back when the job reads slower than standard input fills.
                    FlushResult flushed = writer.FlushAsync().AsTask().GetAwaiter().GetResult();
                    if (flushed.IsCompleted)
                    {
                        source.LogAbandoned(total, Noun.Bytes(total));
                        break;
                    }
                }
            }
            catch (Exception error)
            {
                // Any failure belongs to the reader, which rethrows it from its next read; a thread that
                // died with it unhandled would take the process down instead.
                failure = error;
            }
            finally
            {
                writer.Complete(failure);
                try
                {
                    input.Dispose();
                }
                catch (IOException)
                {
                    // Closing standard input can only fail after everything it had was read; nothing is lost.
                }
            }
        }
    }
}
