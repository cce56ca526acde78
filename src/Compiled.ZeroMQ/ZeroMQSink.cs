using System.Diagnostics;
using System.Globalization;
using Compiled.Connectors;
using Compiled.Sinks;
using Microsoft.Extensions.Logging;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ;

/// <summary>
/// Sends a pipeline's records as ZeroMQ messages from a PUSH or PUB socket: <c>zmq+tcp://host:port?socket=push|pub</c>,
/// <c>zmq+ipc://path</c>. A record written as text is one frame, the text the file sink writes for it; a keyed record
/// (<c>KeyValue&lt;long&gt;</c>, <c>KeyValue&lt;int&gt;</c>, <c>KeyValue&lt;double&gt;</c>) is two frames, its key then
/// its value as text, so a subscriber filters by key prefix.
/// </summary>
/// <remarks>
/// <para>
/// <b>Sent as written.</b> ZeroMQ has no transactions: each record goes to the socket's queue as the job writes it, and
/// ZeroMQ's I/O thread sends it on; a commit has nothing left to do. A PUSH socket with no receiver, or whose receivers
/// are all at their high-water mark (<c>hwm</c>), makes the write wait (logged once), which holds back the job and its
/// sources: memory stays bounded. <c>sendTimeout</c> fails the batch instead after that long. A PUB socket never waits:
/// ZeroMQ drops what a slow or absent subscriber cannot take.
/// </para>
/// <para>
/// <b>At most once, end to end.</b> The sink's own guarantee is at least once in the run's terms (a batch written
/// again after a restart from a checkpoint is sent again), but nothing tells it what a receiver got: a PUB drops for
/// slow subscribers and a receiver that stops loses what it had queued. Closing waits up to <c>linger</c> (5 s) for
/// queued messages to go out.
/// </para>
/// </remarks>
public sealed partial class ZeroMQSink : Sink, IRecordWriter<KeyValue<long>>, IRecordWriter<KeyValue<int>>, IRecordWriter<KeyValue<double>>
{
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(100);

    private readonly ZeroMQSinkOptions _options;
    private readonly ILogger _log;
    private NetMQSocket? _socket;
    private volatile bool _closing;
    private bool _waitLogged;

    /// <summary>Creates the sink; <see cref="ZeroMQSinkFactory"/> is how a run makes one.</summary>
    public ZeroMQSink(ConnectorUri uri, SinkContext context)
        : base(uri, context)
    {
        // Taken before the options are parsed, which refuses every option not read by then.
        TakeFormat();
        _options = ZeroMQSinkOptions.Parse(uri);
        _log = context.LoggerFactory.CreateLogger<ZeroMQSink>();
    }

    /// <summary>What the sink sends to.</summary>
    public ZeroMQSinkOptions Options => _options;

    /// <summary>The address the socket is bound or connected to, once open.</summary>
    public string? BoundAddress { get; private set; }

    /// <summary>Messages handed to the socket so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Opens the socket and binds or connects it; connecting does not wait for the peer.</summary>
    /// <exception cref="InvalidOperationException">The socket could not bind or connect; the message says why.</exception>
    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ZeroMQEndpoint endpoint = _options.Endpoint;
        NetMQSocket socket = endpoint.Socket == ZeroMQSocketKind.Pub ? new PublisherSocket() : new PushSocket();
        try
        {
            socket.Options.SendHighWatermark = endpoint.HighWaterMark;
            socket.Options.Linger = _options.Linger;
            BoundAddress = ZeroMQSockets.Attach(socket, endpoint, Uri);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        LogOpened(_options.Text, endpoint.ToString());
        return default;
    }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs) => _waitLogged = false;

    /// <summary>Sends one record as one frame: its text.</summary>
    public override void Write(ReadOnlySpan<byte> record) => Send(record, more: false);

    /// <summary>Sends a keyed record as two frames: its key, then its value as text.</summary>
    public void Write(KeyValue<long> record)
    {
        Span<byte> value = stackalloc byte[20];
        record.Value.TryFormat(value, out int length, default, CultureInfo.InvariantCulture);
        SendPair(record.Key, value[..length]);
    }

    /// <summary>Sends a keyed record as two frames: its key, then its value as text.</summary>
    public void Write(KeyValue<int> record)
    {
        Span<byte> value = stackalloc byte[11];
        record.Value.TryFormat(value, out int length, default, CultureInfo.InvariantCulture);
        SendPair(record.Key, value[..length]);
    }

    /// <summary>Sends a keyed record as two frames: its key, then its value as text (round-trip form).</summary>
    public void Write(KeyValue<double> record)
    {
        Span<byte> value = stackalloc byte[32];
        record.Value.TryFormat(value, out int length, default, CultureInfo.InvariantCulture);
        SendPair(record.Key, value[..length]);
    }

    /// <summary>Nothing is left to send: every record went to the socket as it was written.</summary>
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;

    /// <summary>Closes the socket; NetMQ goes on sending what is still queued for up to <c>linger</c>, though not always all of it (see the README).</summary>
    public override async ValueTask DisposeAsync()
    {
        _closing = true;
        if (_socket is { } socket)
        {
            _socket = null;
            socket.Dispose();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void SendPair(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Send(key, more: true);
        Send(value, more: false);
    }

    private void Send(ReadOnlySpan<byte> frame, bool more)
    {
        NetMQSocket socket = _socket ?? throw new InvalidOperationException($"ZeroMQ sink '{_options.Text}' is not open; a run opens it before the first batch.");
        var message = new Msg();
        message.InitPool(frame.Length);
        frame.CopyTo(message.Slice());
        if (!socket.TrySend(ref message, TimeSpan.Zero, more))
        {
            SendWaiting(socket, ref message, more);
        }

        if (!more)
        {
            Sent++;
        }
    }

    // No receiver can take the message now (none connected, or all at their high-water mark): wait, in steps so that
    // closing the sink ends the wait, for up to sendTimeout when one is given.
    private void SendWaiting(NetMQSocket socket, ref Msg message, bool more)
    {
        if (!_waitLogged)
        {
            _waitLogged = true;
            LogWaiting(_options.Text, _options.Endpoint.ToString(), _options.Endpoint.HighWaterMark);
        }

        long started = Stopwatch.GetTimestamp();
        while (!socket.TrySend(ref message, WaitStep, more))
        {
            if (_closing || Stopwatch.GetElapsedTime(started) >= _options.SendTimeout)
            {
                message.Close();
                throw new InvalidOperationException(_closing
                    ? $"ZeroMQ sink '{_options.Text}' was closed while a record waited for a receiver; the record was not sent."
                    : $"ZeroMQ sink '{_options.Text}' ({_options.Endpoint}) could not hand a record to any receiver for {_options.SendTimeout!.Value.TotalMilliseconds:0} ms (sendTimeout): no PULL socket is connected, or all are at their high-water mark; start the receiver, or give a longer sendTimeout (or none, to wait as long as it takes).");
            }
        }
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "ZeroMQ sink {Sink}: {Endpoint}; records are sent as written, at most once end to end")]
    private partial void LogOpened(string sink, string endpoint);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "ZeroMQ sink {Sink} ({Endpoint}): no receiver can take a record now (none connected, or all hold {HighWaterMark} messages); the job waits for one")]
    private partial void LogWaiting(string sink, string endpoint, int highWaterMark);
}
