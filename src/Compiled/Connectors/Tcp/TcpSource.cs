using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Compiled.Connectors.WriteAheadLog;
using Compiled.Framing;
using Compiled.Internal;
using Microsoft.Extensions.Logging;

namespace Compiled.Connectors.Tcp;

/// <summary>
/// <c>tcp://host:port</c>: a TCP client that reads whatever the server sends, like Spark's
/// <c>socketTextStream</c> against <c>nc -lk 9999</c>. Each connection is one <see cref="SourceStream"/>;
/// when the server closes it, the next <see cref="NextStreamAsync"/> connects again. The source is
/// unbounded: it never ends by itself.
/// </summary>
/// <remarks>
/// <para>
/// Options: <c>reconnectDelay</c> (default 100ms) is the wait after the first failed attempt; each further
/// failure doubles it up to <c>maxReconnectDelay</c> (default 5s). <c>connectTimeout</c> (default 10s) bounds
/// one attempt, so an address that drops packets is retried instead of waited on for minutes.
/// </para>
/// <para>
/// A connection that ends in the middle of a line leaves a record cut short: the bytes after its last line end.
/// <c>onPartial=keep</c> (the default, as Spark's socket receiver) hands it on as a record, <c>onPartial=skip</c>
/// drops it; either way it is counted in <see cref="SourceCounters.PartialRecords"/> and the batch's log says so.
/// </para>
/// <para>
/// A connection counts as successful once it has delivered data: only then does the backoff start again
/// from <c>reconnectDelay</c>. A server that accepts and closes at once is therefore retried with growing
/// delays rather than in a tight loop. A connection the peer resets (RST) ends like one it closes, with a
/// warning, so a crashed producer is reconnected to instead of failing the job.
/// </para>
/// <para>
/// <c>wal=true</c> keeps a write-ahead log of the received data in the run's checkpoint directory, which makes the
/// source replayable: see <see cref="WriteAhead"/>.
/// </para>
/// </remarks>
public sealed partial class TcpSource : Source
{
    private const string Usage = "tcp://host:port, e.g. tcp://localhost:9999";

    // A connection with a write-ahead log is read through its stream and a pipe: large reads amortise the per-read cost
    // for a fast producer; zero-byte reads (below) keep an idle connection from pinning a buffer while it waits. Without a
    // log a connection is read by TcpConnectionReader, into one buffer of its own.
    private const int BufferSize = 64 * 1024;
    private const int MinimumReadSize = 16 * 1024;

    // How long a connect waits at a time before it looks whether it was stopped or timed out: 20 ms.
    private const int ConnectPollMicroseconds = 20_000;

    private readonly ILogger _logger;
    private readonly IPAddress? _address;        // the host, when it is an address rather than a name to resolve
    private ITcpConnection? _current;
    private int _failures;

    /// <summary>Reads the host, port and options of <paramref name="uri"/>; connects only when the run asks for a stream.</summary>
    /// <exception cref="ConnectorUriException">The host, port or an option is not valid.</exception>
    public TcpSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        (Host, Port) = ParseTarget(uri);
        ReconnectDelay = uri.TakeDuration("reconnectDelay", TimeSpan.FromMilliseconds(100));
        MaxReconnectDelay = uri.TakeDuration("maxReconnectDelay", TimeSpan.FromSeconds(5));
        ConnectTimeout = uri.TakeDuration("connectTimeout", TimeSpan.FromSeconds(10));
        Framing = Framing with { Partial = ParsePartial(uri) };
        WriteAhead = uri.TakeBoolean("wal", false);
        if (MaxReconnectDelay < ReconnectDelay)
        {
            throw uri.Error(
                $"tcp source URI '{uri.Text}' has maxReconnectDelay {Format(MaxReconnectDelay)} shorter than reconnectDelay {Format(ReconnectDelay)}; " +
                "make maxReconnectDelay at least as long, e.g. ?reconnectDelay=100ms&maxReconnectDelay=5s");
        }

        Name = Host.Contains(':', StringComparison.Ordinal)
            ? $"tcp://[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"tcp://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

        // A name goes through DnsEndPoint so that a dual-mode socket tries every address it resolves to:
        // 'localhost' then reaches a server listening on 127.0.0.1 or on ::1.
        _address = IPAddress.TryParse(Host, out IPAddress? address) ? address : null;
        _logger = context.LoggerFactory.CreateLogger<TcpSource>();
        if (WriteAhead)
        {
            WriteAheadLogPath = WriteAheadLogPathOf(uri, context);
        }
    }

    /// <summary>The host to connect to: a name or an IP address (without brackets).</summary>
    public string Host { get; }

    /// <summary>The port to connect to.</summary>
    public int Port { get; }

    /// <summary>The wait after the first failed attempt (<c>reconnectDelay</c>).</summary>
    public TimeSpan ReconnectDelay { get; }

    /// <summary>The longest wait between attempts (<c>maxReconnectDelay</c>).</summary>
    public TimeSpan MaxReconnectDelay { get; }

    /// <summary>How long one connection attempt may take (<c>connectTimeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; }

    /// <summary>The name of every stream this source returns: <c>tcp://host:port</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// A socket is not replayable: the sender does not send again what was received. With <c>wal=true</c> the source
    /// keeps what it receives in a write-ahead log in the checkpoint directory, and is replayable from that.
    /// </summary>
    public override SourceReplay Replay => WriteAhead
        ? SourceReplay.Replayable
        : SourceReplay.NotReplayable(
            "a connection cannot be read again, its sender does not send what it sent again; write tcp://host:port?wal=true " +
            "to keep a write-ahead log of the received data in the checkpoint directory");

    /// <summary>Closes the connection if one is still open (the driver normally closes it through its stream).</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_current is { } current)
        {
            _current = null;
            await current.DisposeAsync().ConfigureAwait(false);
        }

        DisposeWriteAheadLog();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Connects, retrying with exponential backoff until a connection is made, and returns it. Called again
    /// after the previous connection ended, it reconnects. Never returns <see langword="null"/>.
    /// </summary>
    public override async ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (WriteAhead && NextReplayedStream() is { } replayed)
        {
            return replayed;
        }

        if (_current is { } previous)
        {
            // The driver asks for another stream only after the previous one ended, so the peer closed it.
            _current = null;
            Counters.Reconnects++;
            if (previous.WasReset)
            {
                LogReset(Name, previous.BytesReceived, Noun.Bytes(previous.BytesReceived));
            }
            else
            {
                LogClosed(Name, previous.BytesReceived, Noun.Bytes(previous.BytesReceived));
            }

            if (previous.BytesReceived > 0)
            {
                _failures = 0;
            }
            else
            {
                _failures++;
                TimeSpan delay = Backoff(_failures);
                Task wait = Task.Delay(delay, Context.TimeProvider, cancellationToken);
                LogEmptyConnection(Name, (long)delay.TotalMilliseconds, _failures);
                await wait.ConfigureAwait(false);
            }
        }

        while (true)
        {
            Socket? socket = null;
            string? failure;
            try
            {
                socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                failure = null;
            }
            catch (Exception error) when (error is (SocketException or OperationCanceledException) && cancellationToken.IsCancellationRequested)
            {
                // Stopped while an attempt was ending (refused, say): the source ends because it was asked to, not
                // because of how the attempt ended, whichever of the two came first.
                throw new OperationCanceledException("The source was stopped while it was connecting.", error, cancellationToken);
            }
            catch (SocketException error)
            {
                failure = Describe(error);
            }
            catch (OperationCanceledException)
            {
                failure = $"no answer within {Format(ConnectTimeout)}";
            }

            if (socket is not null)
            {
                if (_failures > 0)
                {
                    LogConnectedAfterFailures(Name, _failures, Noun.For(_failures, "attempt", "attempts"));
                }

                if (!WriteAhead)
                {
                    // Read on the run's own thread while bytes have arrived (TcpConnectionReader).
                    var connection = new TcpConnectionReader(socket, Name);
                    _current = connection;
                    return HandOut(new SourceStream(Name, connection));
                }

                var logged = new TcpReceiveStream(socket);
                _current = logged;
                var reader = PipeReader.Create(LoggedStream(logged), new StreamPipeReaderOptions(
                    bufferSize: BufferSize, minimumReadSize: MinimumReadSize, leaveOpen: false, useZeroByteReads: true));
                return HandOut(new SourceStream(Name, reader));
            }

            _failures++;
            Counters.Reconnects++;
            TimeSpan retry = Backoff(_failures);

            // The delay is started before the warning is logged, so whoever sees the warning (a test with a
            // fake clock) knows the wait is already armed.
            Task pause = Task.Delay(retry, Context.TimeProvider, cancellationToken);
            LogRetrying(Name, failure!, (long)retry.TotalMilliseconds, _failures);
            await pause.ConfigureAwait(false);
        }
    }

    // One attempt, bounded by connectTimeout; the socket is returned connected or disposed. The connect is made without
    // the runtime's socket event loop: a socket used asynchronously even once stays registered with it, and its thread is
    // then woken for every segment that arrives, although the run takes the bytes on its own thread while they come
    // (TcpConnectionReader): 7% of a loopback word count's CPU, and 11% of it with the kernel's part. So the name is
    // resolved asynchronously, and each address is connected to by a non-blocking connect polled on a pool thread, in
    // slices short enough for a stop or the timeout to end the wait; the socket is then made blocking again.
    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout, Context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        CancellationToken token = linked.Token;
        IPAddress[] addresses = _address is not null
            ? [_address]
            : await Dns.GetHostAddressesAsync(Host, token).ConfigureAwait(false);
        SocketException? refused = null;
        foreach (IPAddress candidate in addresses)
        {
            var socket = new Socket(candidate.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                var endPoint = new IPEndPoint(candidate, Port);
                await Task.Run(() => ConnectPolled(socket, endPoint, token), CancellationToken.None).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException error)
            {
                // This address refused or could not be reached: the next one, as a connect to a name tries each.
                socket.Dispose();
                refused = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw refused ?? new SocketException((int)SocketError.HostNotFound);
    }

    // Connects the socket to the address by a non-blocking connect, waiting for it in slices of ConnectPollMicroseconds
    // (so that `token` ends the wait within one); throws the connect's error, or OperationCanceledException.
    private static void ConnectPolled(Socket socket, IPEndPoint endPoint, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        socket.Blocking = false;
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            while (!socket.Poll(ConnectPollMicroseconds, SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
            {
                token.ThrowIfCancellationRequested();
            }

            if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int code && code != 0)
            {
                throw new SocketException(code);
            }
        }

        socket.Blocking = true;
    }

    private TimeSpan Backoff(int failures) => RetryDelay.After(failures, ReconnectDelay, MaxReconnectDelay);

    // onPartial: what to do with a line the connection's end cut short. Kept by default, as Spark's socket receiver
    // (BufferedReader.readLine) hands on a last line without a line end.
    private static PartialRecordPolicy ParsePartial(ConnectorUri uri)
    {
        string? text = uri.TakeString("onPartial");
        return text?.ToLowerInvariant() switch
        {
            null or "keep" => PartialRecordPolicy.Keep,
            "skip" => PartialRecordPolicy.Skip,
            _ => throw uri.Error($"option 'onPartial={text}' of source URI '{uri.Text}' is not valid; write keep or skip"),
        };
    }

    private static (string Host, int Port) ParseTarget(ConnectorUri uri)
    {
        string target = uri.Target.EndsWith('/') ? uri.Target[..^1] : uri.Target;
        string host;
        string? port;
        if (target.StartsWith('['))
        {
            // An IPv6 literal: [::1]:9999.
            int close = target.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw uri.Error($"tcp source URI '{uri.Text}' opens an IPv6 address with '[' but does not close it; write tcp://[::1]:9999");
            }

            host = target[1..close];
            string rest = target[(close + 1)..];
            port = rest.StartsWith(':') ? rest[1..] : (rest.Length == 0 ? null : rest);
        }
        else
        {
            int colon = target.LastIndexOf(':');
            host = colon < 0 ? target : target[..colon];
            port = colon < 0 ? null : target[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                throw uri.Error($"tcp source URI '{uri.Text}' has an IPv6 address without brackets; write tcp://[{host}]:{port}");
            }
        }

        var problems = new List<string>();
        if (host.Length == 0)
        {
            problems.Add("no host");
        }
        else if (System.Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            problems.Add($"'{host}', which is not a host name or IP address");
        }

        int number = 0;
        if (port is null || port.Length == 0)
        {
            problems.Add("no port");
        }
        else if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535)
        {
            problems.Add($"port '{port}', which is not a number from 1 to 65535");
        }

        if (problems.Count > 0)
        {
            throw uri.Error($"tcp source URI '{uri.Text}' has {string.Join(" and ", problems)}; write {Usage}");
        }

        return (host, number);
    }

    private static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TryAgain => "host name lookup failed for now",
        SocketError.TimedOut => "connection timed out",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.AddressNotAvailable => "address not available",
        _ => error.Message,
    };

    private static string Format(TimeSpan duration) => DurationText.Format(duration);

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "{Source}: {Failure} (attempt {Attempt}); retrying in {Delay} ms")]
    private partial void LogRetrying(string source, string failure, long delay, int attempt);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Source}: connected after {Failures} failed {AttemptNoun}")]
    private partial void LogConnectedAfterFailures(string source, int failures, string attemptNoun);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Source}: the server closed the connection after {Bytes} {ByteNoun}; reconnecting")]
    private partial void LogClosed(string source, long bytes, string byteNoun);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Source}: the server reset the connection after {Bytes} {ByteNoun}; reconnecting")]
    private partial void LogReset(string source, long bytes, string byteNoun);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Source}: the connection ended before any data arrived (attempt {Attempt}); reconnecting in {Delay} ms")]
    private partial void LogEmptyConnection(string source, long delay, int attempt);
}
