using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Microsoft.Extensions.Logging;
using NetMQ;
using NetMQ.Sockets;

namespace Compiled.ZeroMQ;

/// <summary>
/// Reads ZeroMQ messages from a PULL or SUB socket: <c>zmq+tcp://host:port?socket=pull|sub</c>, <c>zmq+ipc://path</c>.
/// Each message is one record: a message of one frame is the payload, without a key; a message of several frames has
/// its first frame as the key (for SUB, the topic it matched) and its last as the payload (frames between are ignored).
/// </summary>
/// <remarks>
/// <para>
/// <b>At most once.</b> ZeroMQ has no acknowledgements and keeps nothing: what a sender or the sockets held when a
/// job stops is gone, a PUB socket drops messages for a subscriber that falls behind its high-water mark, and a SUB
/// socket sees only what is published after it has joined. So the source is not replayable (with <c>--checkpoint</c> the
/// run says so when it starts), carries no position and no timestamp (0).
/// </para>
/// <para>
/// <b>Reading.</b> A thread of the source's own owns the socket (NetMQ sockets belong to one thread) and copies each
/// message into one of two reused buffers; the run's loop takes the other into its batch, then swaps. When both are
/// full the thread stops receiving, the socket's queue fills to its high-water mark (<c>hwm</c>), and then a PUSH
/// sender waits (a PUB drops): memory stays bounded by the two buffers and the queue. Once the buffers have grown to
/// the largest batch, reading a message allocates nothing in the source.
/// </para>
/// </remarks>
public sealed partial class ZeroMQSource : MessageSource
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ZeroMQSourceOptions _options;
    private readonly ILogger _log;
    private readonly object _gate = new();   // guards _filling, _waiter, _failure; Monitor waits on it

    // The receiving thread fills _filling; the run's loop reads _reading, and swaps the two when it has read all.
    private StagedMessages _filling;
    private StagedMessages _reading;
    private TaskCompletionSource<bool>? _waiter;
    private Exception? _failure;
    private volatile bool _stopping;
    private Thread? _receiver;
    private NetMQSocket? _socket;

    /// <summary>Creates the source; <see cref="ZeroMQSourceFactory"/> is how a run makes one. The socket opens when the run first reads.</summary>
    public ZeroMQSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        _options = ZeroMQSourceOptions.Parse(uri);
        _log = context.LoggerFactory.CreateLogger<ZeroMQSource>();
        _filling = new StagedMessages(MessageBatch.DefaultCapacity, MessageBatch.DefaultMaxBytes);
        _reading = new StagedMessages(MessageBatch.DefaultCapacity, MessageBatch.DefaultMaxBytes);
    }

    /// <summary>What the source reads.</summary>
    public ZeroMQSourceOptions Options => _options;

    /// <summary>The address the socket is bound or connected to, once it is open (with a port of <c>0</c> resolved when bound).</summary>
    public string? BoundAddress { get; private set; }

    /// <summary>ZeroMQ keeps nothing to read again.</summary>
    public override SourceReplay Replay =>
        SourceReplay.NotReplayable("ZeroMQ keeps no messages and takes no acknowledgements: what the sockets held when the job stopped is gone (at most once)");

    /// <summary>Opens the socket the first time, then waits until a message has arrived. A ZeroMQ source never ends.</summary>
    /// <exception cref="InvalidOperationException">The socket could not bind or connect, or receiving failed; the message says why.</exception>
    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (_receiver is null)
        {
            Open();
        }

        if (_reading.Unread > 0)
        {
            return true;
        }

        Task<bool> wait;
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw Failed(_failure);
            }

            if (_filling.Count > 0)
            {
                return true;
            }

            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
        }

        return await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override bool TryRead(MessageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool added = false;
        while (!batch.IsFull)
        {
            if (_reading.Unread == 0 && !Swap())
            {
                break;
            }

            added |= _reading.MoveTo(batch);
        }

        return added;
    }

    /// <summary>Stops the receiving thread, which closes the socket.</summary>
    public override async ValueTask DisposeAsync()
    {
        _stopping = true;
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        if (_receiver is { } receiver)
        {
            await Task.Run(() => receiver.Join(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Creates, configures and binds or connects the socket on the run's loop, so that a bad address fails the run at
    // once, then hands it to the receiving thread.
    private void Open()
    {
        ZeroMQEndpoint endpoint = _options.Endpoint;
        NetMQSocket socket = endpoint.Socket == ZeroMQSocketKind.Sub ? new SubscriberSocket() : new PullSocket();
        try
        {
            socket.Options.ReceiveHighWatermark = endpoint.HighWaterMark;
            socket.Options.Linger = TimeSpan.Zero;
            if (socket is SubscriberSocket subscriber)
            {
                foreach (byte[] topic in _options.Topics)
                {
                    subscriber.Subscribe(topic);
                }
            }

            BoundAddress = ZeroMQSockets.Attach(socket, endpoint, Uri);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        LogOpened(_options.Text, endpoint.ToString());
        _receiver = new Thread(Receive) { IsBackground = true, Name = "zmq source " + endpoint.Address };
        _receiver.Start();
    }

    // The receiving thread: each message into _filling, waiting while both buffers are full; closes the socket at the end.
    private void Receive()
    {
        NetMQSocket socket = _socket!;
        var frame = new Msg();
        frame.InitEmpty();
        try
        {
            while (!_stopping)
            {
                if (!socket.TryReceive(ref frame, PollInterval))
                {
                    continue;
                }

                ReceiveMessage(socket, ref frame);
            }
        }
        catch (Exception error) when (error is NetMQException or ObjectDisposedException or InvalidOperationException)
        {
            lock (_gate)
            {
                _failure = error;
                _waiter?.TrySetResult(true);
                _waiter = null;
            }
        }
        finally
        {
            if (frame.IsInitialised)
            {
                frame.Close();
            }

            socket.Dispose();
        }
    }

    // Takes the frames of one message (the first already received) and stages it: key = first frame, payload = last.
    private void ReceiveMessage(NetMQSocket socket, ref Msg frame)
    {
        lock (_gate)
        {
            while (_filling.IsFull && !_stopping)
            {
                Monitor.Wait(_gate, PollInterval);
            }

            if (_stopping)
            {
                return;
            }

            if (!frame.HasMore)
            {
                _filling.Add(frame.Slice(), default, hasKey: false);
            }
            else
            {
                // The frames of a multipart message arrive together, so the rest are there already.
                int keyStart = _filling.Keep(frame.Slice());
                int keyLength = frame.Size;
                do
                {
                    frame.Close();
                    frame.InitEmpty();
                    socket.Receive(ref frame);
                }
                while (frame.HasMore);

                _filling.AddKeyed(keyStart, keyLength, frame.Slice());
            }

            frame.Close();
            frame.InitEmpty();
            if (_waiter is { } waiter)
            {
                _waiter = null;
                waiter.TrySetResult(true);
            }
        }
    }

    // The run's loop has read all of _reading: it takes _filling in its place, if that holds anything, and lets the
    // receiving thread go on into the emptied one.
    private bool Swap()
    {
        lock (_gate)
        {
            if (_filling.Count == 0)
            {
                return false;
            }

            (_reading, _filling) = (_filling, _reading);
            _filling.Clear();
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    private InvalidOperationException Failed(Exception error) =>
        new($"ZeroMQ source '{_options.Text}' ({_options.Endpoint}) stopped receiving: {error.Message}", error);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "ZeroMQ source {Source}: {Endpoint}; at most once, messages in flight when the job stops are lost")]
    private partial void LogOpened(string source, string endpoint);
}
