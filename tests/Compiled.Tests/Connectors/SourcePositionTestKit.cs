using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compiled.Tests.Connectors;

/// <summary>
/// Reads a source the way a run does, through the run's reading loop (<see cref="SourceLanes"/>) or in small steps
/// taken by hand, into a job that frames lines, so positions are taken where a run takes them: between two buffers,
/// after the framer consumed what it could.
/// </summary>
internal sealed class LaneReader : IAsyncDisposable
{
    private readonly LineJob _job;
    private readonly SourceLanes _lanes;
    private readonly CancellationTokenSource _abort = new();
    private readonly int? _bytesPerProcess;
    private Task<SourceStream?>? _next;
    private SourceStream? _stream;
    private long _streamBytes;
    private long _examined;
    private bool _closed;

    /// <param name="source">The source read.</param>
    /// <param name="bytesPerProcess">
    /// <see langword="null"/>: read through the run's reading loop, each buffer framed whole. Otherwise the loop's steps
    /// are taken by hand with at most this many bytes framed per step, so that buffers end anywhere, inside records and
    /// inside a CRLF.
    /// </param>
    public LaneReader(Source source, int? bytesPerProcess = null)
    {
        Source = source;
        _bytesPerProcess = bytesPerProcess;
        _job = new LineJob(source.Framing, source.Counters);
        _lanes = new SourceLanes([source], _job, "Positions", NullLogger.Instance, _abort.Token);
    }

    public Source Source { get; }

    /// <summary>The records handed to the job so far, in order.</summary>
    public List<string> Records => _job.Records;

    /// <summary>Reads until at least <paramref name="count"/> records have been handed on, or the source has ended.</summary>
    public async Task ReadAtLeastAsync(int count, CancellationToken cancellationToken)
    {
        while (Records.Count < count)
        {
            (bool open, bool progressed) = await StepAsync(cancellationToken);
            if (!open)
            {
                return;
            }

            if (!progressed && _bytesPerProcess is null)
            {
                await _lanes.WhenAnyAsync(Task.Delay(10, cancellationToken));
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Reads until the source ends; returns whether it did.</summary>
    public Task ReadToEndAsync(CancellationToken cancellationToken) => ReadAtLeastAsync(int.MaxValue, cancellationToken);

    /// <summary>Steps the loop <paramref name="steps"/> more times with short waits, for what a watched source may still deliver.</summary>
    public async Task SettleAsync(int steps, CancellationToken cancellationToken)
    {
        for (int i = 0; i < steps; i++)
        {
            (bool open, bool progressed) = await StepAsync(cancellationToken);
            if (!open)
            {
                return;
            }

            if (!progressed && _bytesPerProcess is null)
            {
                await _lanes.WhenAnyAsync(Task.Delay(10, cancellationToken));
            }
        }
    }

    private async Task<(bool Open, bool Progressed)> StepAsync(CancellationToken cancellationToken)
    {
        if (_bytesPerProcess is not { } limit)
        {
            return await _lanes.AdvanceAsync(_abort.Token);
        }

        // Small reads, stepped by hand as the reading loop does: frame at most `limit` bytes, advance the reader to what
        // was consumed with only those bytes examined, and record the stream's record boundary.
        if (_stream is null)
        {
            _next ??= Source.NextStreamAsync(_abort.Token).AsTask();
            if (await Task.WhenAny(_next, Task.Delay(10, cancellationToken)) != _next)
            {
                return (true, false);
            }

            SourceStream? stream = await _next;
            _next = null;
            if (stream is null)
            {
                return (false, true);
            }

            _stream = stream;
            _streamBytes = 0;
            _examined = 0;
            _job.BeginStream(0, stream.Name);
            return (true, true);
        }

        ReadResult result = await _stream.Reader.ReadAsync(cancellationToken);
        ReadOnlySequence<byte> buffer = result.Buffer;
        ReadOnlySequence<byte> part = buffer.Slice(0, Math.Min(buffer.Length, _examined + limit));
        bool completed = result.IsCompleted && part.Length == buffer.Length;
        SequencePosition consumed = _job.Process(0, part, completed);
        long consumedBytes = buffer.Slice(buffer.Start, consumed).Length;
        _stream.Reader.AdvanceTo(consumed, part.End);
        _examined = part.Length - consumedBytes;
        _streamBytes += consumedBytes;
        _stream.Advance(_streamBytes - Source.Counters.DroppingBytes - _stream.Consumed, completed);
        if (completed)
        {
            await _stream.DisposeAsync();
            _stream = null;
        }

        return (true, true);
    }

    /// <summary>The source's position now, passed through its stored form as a checkpoint would.</summary>
    public SourcePosition TakePosition() => SourcePosition.FromBytes(Source.GetPosition().ToBytes());

    public async ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            await _lanes.CloseAsync(processRead: false, _abort.Token);
            await _abort.CancelAsync();
            if (_next is { } next)
            {
                try
                {
                    if (await next is { } late)
                    {
                        await late.DisposeAsync();
                    }
                }
                catch (OperationCanceledException)
                {
                    // The wait for a file was cut short, as asked.
                }
            }

            if (_stream is { } stream)
            {
                await stream.DisposeAsync();
            }
        }

        _abort.Dispose();
        _job.Dispose();
        await Source.DisposeAsync();
    }

    // A job of one line source: frames each buffer (or its first bytesPerProcess bytes) and keeps every record.
    private sealed class LineJob(FramingOptions framing, SourceCounters counters) : PipelineJob
    {
        private readonly LineFramer _framer = new(framing, counters);

        public List<string> Records { get; } = [];

        public override void BeginStream(int source, string streamName) => _framer.Reset(streamName);

        public override SequencePosition Process(int source, in ReadOnlySequence<byte> buffer, bool isCompleted)
        {
            var consumer = new Collect(Records);
            return _framer.Frame(buffer, isCompleted, ref consumer);
        }

        public override void ProcessMessages(int source, Compiled.Connectors.Messages.MessageBatch batch)
        {
            var consumer = new Collect(Records);
            batch.Deliver(ref consumer);
        }

        public override void CompleteBatch(in BatchInfo batch)
        {
        }

        protected override void Dispose(bool disposing) => _framer.Dispose();
    }

    private readonly struct Collect(List<string> records) : IRecordConsumer
    {
        public void OnRecord(ReadOnlySpan<byte> record) => records.Add(Encoding.UTF8.GetString(record));
    }
}
