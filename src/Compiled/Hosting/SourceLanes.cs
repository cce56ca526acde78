using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Compiled.Internal;
using Microsoft.Extensions.Logging;

namespace Compiled.Hosting;

/// <summary>
/// A run's sources read side by side, on the run's one loop: each source (a lane) waits for its next stream, reads
/// that stream to its end, and hands each buffer to the job, one stream after another, until it has no more. A message
/// source's lane instead waits for messages, has the source fill the lane's batch, and hands the batch to the job.
/// </summary>
/// <remarks>
/// Reads are taken as they complete; only a read or a wait that pends becomes a <see cref="Task"/>, so a busy
/// source costs no task per buffer. <see cref="WhenAnyAsync"/> waits for the first lane to have something, or for
/// the run's wake signal. Nothing here runs concurrently with the job: the caller's loop is the only thread in it.
/// </remarks>
internal sealed partial class SourceLanes
{
    private readonly Lane[] _lanes;
    private readonly PipelineJob _job;
    private readonly string _pipeline;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _acquire;
    private readonly List<Task> _pending;

    public SourceLanes(IReadOnlyList<Source> sources, PipelineJob job, string pipeline, ILogger log, CancellationToken abortToken)
    {
        _lanes = new Lane[sources.Count];
        for (int i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(i, sources[i]);
        }

        _job = job;
        _pipeline = pipeline;
        _log = log;
        _acquire = CancellationTokenSource.CreateLinkedTokenSource(abortToken);
        _pending = new List<Task>(_lanes.Length + 1);
    }

    /// <summary>
    /// One step of every source that has not ended. <c>Open</c> is whether any had not ended; <c>Progressed</c>,
    /// whether anything happened (a stream came or ended, a buffer was processed).
    /// </summary>
    public async ValueTask<(bool Open, bool Progressed)> AdvanceAsync(CancellationToken abortToken)
    {
        bool progressed = false;
        bool open = false;
        foreach (Lane lane in _lanes)
        {
            if (lane.Ended)
            {
                continue;
            }

            open = true;
            progressed |= await AdvanceAsync(lane, _acquire.Token, abortToken).ConfigureAwait(false);
        }

        return (open, progressed);
    }

    /// <summary>Waits until <paramref name="wake"/> completes or any source's pending wait or read does.</summary>
    public Task WhenAnyAsync(Task wake)
    {
        _pending.Clear();
        _pending.Add(wake);
        foreach (Lane lane in _lanes)
        {
            if (lane.Next is { } next)
            {
                _pending.Add(next);
            }
            else if (lane.Read is { } read)
            {
                _pending.Add(read);
            }
            else if (lane.Wait is { } wait)
            {
                _pending.Add(wait);
            }
        }

        return Task.WhenAny(_pending);
    }

    /// <summary>
    /// Ends the reading: every lane is closed, whatever another lane's closing throws. With
    /// <paramref name="processRead"/> (the run ended by a stop or the end of every source, not by a failure), what a
    /// read in flight had read is still processed, and the first error of a closing is thrown after all are closed;
    /// otherwise the loop's own exception is already on its way and closing errors are dropped.
    /// </summary>
    public async ValueTask CloseAsync(bool processRead, CancellationToken abortToken)
    {
        try
        {
            await _acquire.CancelAsync().ConfigureAwait(false);
            Exception? closeError = null;
            foreach (Lane lane in _lanes)
            {
                try
                {
                    await CloseLaneAsync(lane, processRead, abortToken).ConfigureAwait(false);
                }
                catch (Exception error) when (closeError is null)
                {
                    closeError = error;
                }
                catch (Exception)
                {
                    // A later lane's error: the first one is raised.
                }
            }

            if (processRead && closeError is not null)
            {
                ExceptionDispatchInfo.Throw(closeError);
            }
        }
        finally
        {
            _acquire.Dispose();
        }
    }

    // One step of one source: takes its next stream if one has come, or processes a buffer if a read has completed,
    // and starts the next wait. Returns whether anything happened.
    private async ValueTask<bool> AdvanceAsync(Lane lane, CancellationToken acquireToken, CancellationToken abortToken)
    {
        if (lane.Messages is { } messages)
        {
            return await AdvanceMessagesAsync(lane, messages, acquireToken).ConfigureAwait(false);
        }

        if (lane.Stream is null)
        {
            lane.Next ??= lane.Source.NextStreamAsync(acquireToken).AsTask();
            if (!lane.Next.IsCompleted)
            {
                return false;
            }

            Task<SourceStream?> next = lane.Next;
            lane.Next = null;
            SourceStream? stream = await next.ConfigureAwait(false);
            if (stream is null)
            {
                EndLane(lane);
                return true;
            }

            lane.Source.Counters.Streams++;
            if (NamesItsSource(stream, lane.Source))
            {
                LogReading(stream.Name);
            }
            else
            {
                LogReadingOf(stream.Name, lane.Source.Uri.Text);
            }

            lane.Stream = stream;
            lane.StreamBytes = 0;
            _job.BeginStream(lane.Index, stream.Name);
            return true;
        }

        ReadResult result;
        if (lane.Read is { } read)
        {
            if (!read.IsCompleted)
            {
                return false;
            }

            lane.Read = null;
            result = await read.ConfigureAwait(false);
        }
        else
        {
            // Most reads of a busy source complete at once: those are taken as they are, without a Task.
            ValueTask<ReadResult> next = lane.Stream.Reader.ReadAsync(abortToken);
            if (!next.IsCompleted)
            {
                lane.Read = next.AsTask();
                return false;
            }

            result = await next.ConfigureAwait(false);
        }

        await ProcessAsync(lane, result).ConfigureAwait(false);
        return true;
    }

    // One step of a message source: once it has messages (a wait that completes at once costs no Task), the source
    // fills the lane's batch, the job takes the whole batch, and the source is told; it is asked for more only then.
    private async ValueTask<bool> AdvanceMessagesAsync(Lane lane, MessageSource source, CancellationToken acquireToken)
    {
        bool ready;
        if (lane.Wait is { } wait)
        {
            if (!wait.IsCompleted)
            {
                return false;
            }

            lane.Wait = null;
            ready = await wait.ConfigureAwait(false);
        }
        else
        {
            ValueTask<bool> next = source.WaitToReadAsync(acquireToken);
            if (!next.IsCompleted)
            {
                lane.Wait = next.AsTask();
                return false;
            }

            ready = await next.ConfigureAwait(false);
        }

        if (!ready)
        {
            EndLane(lane);
            return true;
        }

        // A wait that said ready and a read that found nothing still count as a step: the next one waits again.
        TakeMessages(lane, source);
        return true;
    }

    // Has the source fill the lane's batch and the job take it.
    private void TakeMessages(Lane lane, MessageSource source)
    {
        MessageBatch batch = lane.Batch!;
        batch.Clear();
        if (!source.TryRead(batch) || batch.Count == 0)
        {
            return;
        }

        _job.ProcessMessages(lane.Index, batch);
        source.Taken(batch);
        long bytes = source.Counters.Bytes;
        LogConsumed(bytes, Noun.Bytes(bytes), source.Uri.Text);
    }

    // A source has given everything: its lane is done.
    private void EndLane(Lane lane)
    {
        lane.Ended = true;
        SourceCounters counters = lane.Source.Counters;
        LogInputEnded(
            _pipeline, lane.Source.Uri.Text, counters.Records, Noun.Records(counters.Records), counters.Bytes, Noun.Bytes(counters.Bytes),
            counters.OversizeSkipped, Noun.Records(counters.OversizeSkipped));
    }

    // Frames and processes one buffer of a source's stream; at the stream's end, releases it.
    private async ValueTask ProcessAsync(Lane lane, ReadResult result)
    {
        SourceStream stream = lane.Stream!;
        System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
        SequencePosition consumed = buffer.Start;
        long consumedBytes;
        try
        {
            consumed = _job.Process(lane.Index, buffer, result.IsCompleted);

            // Measured before the reader is advanced, which hands the buffer's segments back.
            consumedBytes = buffer.Slice(buffer.Start, consumed).Length;
        }
        finally
        {
            stream.Reader.AdvanceTo(consumed, buffer.End);
        }

        // The stream's record boundary, for the source's position: what the framer consumed, less the part of an
        // oversize record it is still dropping, so that a resumed source drops that record whole again.
        lane.StreamBytes += consumedBytes;
        long boundary = lane.StreamBytes - lane.Source.Counters.DroppingBytes;
        stream.Advance(boundary - stream.Consumed, result.IsCompleted);

        long bytes = lane.Source.Counters.Bytes;
        LogConsumed(bytes, Noun.Bytes(bytes), lane.Source.Uri.Text);
        if (result.IsCompleted)
        {
            LogStreamEnded(stream.Name);
            lane.Stream = null;
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    // At the end of the reading loop: a wait for a stream is given up (a stream that came anyway is closed), a read
    // in flight is cut short and, unless the run failed, what it had read is still processed; the stream is closed.
    private async ValueTask CloseLaneAsync(Lane lane, bool processRead, CancellationToken abortToken)
    {
        if (lane.Messages is { } messages)
        {
            await CloseMessagesAsync(lane, messages, processRead).ConfigureAwait(false);
            return;
        }

        if (lane.Next is { } next)
        {
            lane.Next = null;
            SourceStream? late = null;
            try
            {
                late = await next.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException || !processRead)
            {
                // The wait for a connection or a file was cut short by the stop, as asked; or the run is failing
                // already, and that failure is the one to report.
            }

            if (late is not null)
            {
                await late.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (lane.Stream is not { } stream)
        {
            return;
        }

        if (lane.Read is { } read)
        {
            lane.Read = null;
            stream.Reader.CancelPendingRead();
            ReadResult result;
            try
            {
                result = await read.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or IOException)
            {
                result = default;
            }

            if (processRead && (result.Buffer.Length > 0 || result.IsCompleted))
            {
                await ProcessAsync(lane, result).ConfigureAwait(false);
            }
        }

        if (lane.Stream is { } open)
        {
            lane.Stream = null;
            await open.DisposeAsync().ConfigureAwait(false);
        }
    }

    // At the end of the reading loop, a message source's wait is given up; unless the run failed, messages it had
    // found ready (it completed before it was cut short) are still taken. The batch's buffer goes back to its pool.
    private async ValueTask CloseMessagesAsync(Lane lane, MessageSource source, bool processRead)
    {
        try
        {
            if (lane.Wait is { } wait)
            {
                lane.Wait = null;
                bool ready = false;
                try
                {
                    ready = await wait.ConfigureAwait(false);
                }
                catch (Exception error) when (error is OperationCanceledException || !processRead)
                {
                    // The wait was cut short by the stop, as asked; or the run is failing already, and that failure is
                    // the one to report.
                }

                if (processRead && ready)
                {
                    TakeMessages(lane, source);
                }
            }
        }
        finally
        {
            lane.Batch?.Dispose();
        }
    }

    // Whether a stream's name says which source it is (stdin:, a connection of tcp://host:port), so that a log line
    // naming the stream need not name the source as well; a file's path does not say which glob or directory found it.
    private static bool NamesItsSource(SourceStream stream, Source source) =>
        source.Uri.Text.StartsWith(stream.Name, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Reading {Stream}")]
    private partial void LogReading(string stream);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Reading {Stream} of {Source}")]
    private partial void LogReadingOf(string stream, string source);

    [LoggerMessage(EventId = 3, Level = LogLevel.Trace, Message = "{Bytes} {ByteNoun} consumed in all from {Source}")]
    private partial void LogConsumed(long bytes, string byteNoun, string source);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Finished reading {Stream}")]
    private partial void LogStreamEnded(string stream);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: input {Source} ended after {Records} {RecordNoun} ({Bytes} {ByteNoun}, {Skipped} oversize {SkippedNoun} skipped); the last batch is committed as soon as every source has ended")]
    private partial void LogInputEnded(string pipeline, string source, long records, string recordNoun, long bytes, string byteNoun, long skipped, string skippedNoun);

    // A source as the reading loop sees it: waiting for its next stream, or reading one, or ended.
    private sealed class Lane(int index, Source source)
    {
        public int Index { get; } = index;

        public Source Source { get; } = source;

        // A message source, read through Wait and Batch instead of streams; null for a source of byte streams.
        public MessageSource? Messages { get; } = source as MessageSource;

        public MessageBatch? Batch { get; } = (source as MessageSource)?.CreateBatch();

        public Task<bool>? Wait { get; set; }

        public Task<SourceStream?>? Next { get; set; }

        public SourceStream? Stream { get; set; }

        public Task<ReadResult>? Read { get; set; }

        // Bytes of the current stream the job has consumed, a dropped record's included.
        public long StreamBytes { get; set; }

        public bool Ended { get; set; }
    }
}
