using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors;

public sealed class TcpSourceTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public TcpSourceTests()
    {
        _loggerFactory = _logs.CreateFactory();
    }

    public void Dispose() => _loggerFactory.Dispose();

    [Fact]
    public async Task TcpSource_DeliversWhatTheServerWrites()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");

        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        using Socket server = await accepting;

        Assert.NotNull(stream);
        Assert.Equal($"tcp://127.0.0.1:{PortOf(listener)}", stream.Name);
        byte[] sent = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n")));
        await server.SendAsync(sent, deadline.Token);
        server.Shutdown(SocketShutdown.Send);

        byte[] received = await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task TcpSource_Localhost_ReachesServerOnIPv4Loopback()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://localhost:{PortOf(listener)}");

        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        using Socket server = await accepting;

        Assert.NotNull(stream);
        Assert.Equal($"tcp://localhost:{PortOf(listener)}", stream.Name);
        await server.SendAsync("hello\n"u8.ToArray(), deadline.Token);
        Assert.Equal("hello\n"u8.ToArray(), await PipeReading.ReadExactlyAsync(stream.Reader, 6, deadline.Token));
    }

    [Fact]
    public async Task TcpSource_ServerNotUpYet_RetriesWithDoublingDelaysAndConnectsWhenItAppears()
    {
        using var deadline = Eventually.Deadline();
        var time = new FakeTimeProvider();
        int port = ReservePort();
        await using Source source = Create($"tcp://127.0.0.1:{port}?reconnectDelay=100ms&maxReconnectDelay=300ms", time);

        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        await Eventually.UntilAsync(() => Warnings().Count >= 1, "the first failed attempt is logged");
        Assert.Contains($"tcp://127.0.0.1:{port}: connection refused (attempt 1); retrying in 100 ms", Warnings()[0]);

        // Each warning is logged after its delay is armed, so advancing the fake clock now starts the next attempt.
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Eventually.UntilAsync(() => Warnings().Count >= 2, "the second failed attempt is logged");
        Assert.Contains("(attempt 2); retrying in 200 ms", Warnings()[1]);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await Eventually.UntilAsync(() => Warnings().Count >= 3, "the third failed attempt is logged");
        Assert.Contains("(attempt 3); retrying in 300 ms", Warnings()[2]);
        Assert.False(next.IsCompleted);

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(300));

        await using SourceStream? stream = await Eventually.WithinLimit(next, "the connection once the server is up");
        using Socket server = await accepting;
        Assert.NotNull(stream);
        Assert.Equal(3, source.Counters.Reconnects);
        Assert.Contains(_logs.Lines, l => l.Message.Contains("connected after 3 failed attempts", StringComparison.Ordinal));

        await server.SendAsync("up\n"u8.ToArray(), deadline.Token);
        Assert.Equal("up\n"u8.ToArray(), await PipeReading.ReadExactlyAsync(stream.Reader, 3, deadline.Token));
    }

    [Fact]
    public async Task TcpSource_ServerCloses_NextStreamReconnects()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");

        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream? first = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(first);
        using (Socket server = await accepting)
        {
            await server.SendAsync("one\n"u8.ToArray(), deadline.Token);
            server.Shutdown(SocketShutdown.Both);
        }

        Assert.Equal("one\n"u8.ToArray(), await PipeReading.ReadToEndAsync(first.Reader, deadline.Token));
        await first.DisposeAsync();
        Assert.Equal(0, source.Counters.Reconnects);

        accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? second = await source.NextStreamAsync(deadline.Token);
        using Socket again = await accepting;
        Assert.NotNull(second);
        Assert.Equal(1, source.Counters.Reconnects);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Information
            && l.Message.Contains("the server closed the connection after 4 bytes; reconnecting", StringComparison.Ordinal));

        await again.SendAsync("two\n"u8.ToArray(), deadline.Token);
        Assert.Equal("two\n"u8.ToArray(), await PipeReading.ReadExactlyAsync(second.Reader, 4, deadline.Token));
    }

    [Fact]
    public async Task TcpSource_ServerResets_StreamEndsWithoutErrorAndNextStreamReconnects()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");

        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream? first = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(first);
        using (Socket server = await accepting)
        {
            await server.SendAsync("partial"u8.ToArray(), deadline.Token);
            Assert.Equal("partial"u8.ToArray(), await PipeReading.ReadExactlyAsync(first.Reader, 7, deadline.Token));

            // A zero linger time makes Close send a reset instead of an orderly close.
            server.LingerState = new LingerOption(true, 0);
            server.Close();
        }

        Assert.Empty(await PipeReading.ReadToEndAsync(first.Reader, deadline.Token));
        await first.DisposeAsync();

        accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? second = await source.NextStreamAsync(deadline.Token);
        using Socket again = await accepting;
        Assert.NotNull(second);
        Assert.Equal(1, source.Counters.Reconnects);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning
            && l.Message.Contains("the server reset the connection after 7 bytes; reconnecting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TcpSource_ServerClosesWithoutData_BacksOffBeforeReconnecting()
    {
        using var deadline = Eventually.Deadline();
        var time = new FakeTimeProvider();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}?reconnectDelay=1s", time);

        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream? first = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(first);
        (await accepting).Dispose();
        Assert.Empty(await PipeReading.ReadToEndAsync(first.Reader, deadline.Token));
        await first.DisposeAsync();

        accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        await Eventually.UntilAsync(() => Warnings().Count >= 1, "the empty connection is logged");
        Assert.Contains("the connection ended before any data arrived (attempt 1); reconnecting in 1000 ms", Warnings()[0]);
        Assert.False(next.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        await using SourceStream? second = await Eventually.WithinLimit(next, "the reconnection after the backoff");
        using Socket server = await accepting;
        Assert.NotNull(second);
    }

    [Fact]
    public async Task TcpSource_CancelWhileWaitingToRetry_ThrowsOperationCanceled()
    {
        using var deadline = Eventually.Deadline();
        var time = new FakeTimeProvider();
        await using Source source = Create($"tcp://127.0.0.1:{ReservePort()}?reconnectDelay=1h&maxReconnectDelay=1h", time);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        Task<SourceStream?> next = source.NextStreamAsync(stop.Token).AsTask();
        await Eventually.UntilAsync(() => Warnings().Count >= 1, "the failed attempt is logged");
        await stop.CancelAsync();

        Task finished = await Task.WhenAny(next, Task.Delay(Eventually.Limit, deadline.Token));
        Assert.Same(next, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task TcpSource_ServerThatNeverAnswers_AttemptEndsAtTheConnectTimeoutAndIsRetried()
    {
        // A listener whose queue of connections not yet accepted is full drops the next connection's SYN: the connect
        // waits with no answer, until connectTimeout (on the fake clock) ends the attempt and the source retries.
        using var deadline = Eventually.Deadline();
        using Socket listener = SilentServer(out List<Socket> queued);
        var time = new FakeTimeProvider();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        await using Source source = Create($"tcp://127.0.0.1:{port}?connectTimeout=5s&reconnectDelay=1h&maxReconnectDelay=1h", time);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        Task<SourceStream?> next = source.NextStreamAsync(stop.Token).AsTask();
        await Task.Delay(200, deadline.Token);
        Assert.False(next.IsCompleted);
        Assert.Empty(Warnings());

        time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.UntilAsync(() => Warnings().Count >= 1, "the attempt that had no answer is logged");
        Assert.Contains($"tcp://127.0.0.1:{port}: no answer within 5s (attempt 1); retrying in", Warnings()[0]);
        Assert.Equal(1, source.Counters.Reconnects);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eventually.WithinLimit(next, "the stop while waiting to retry"));
        queued.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task TcpSource_StopWhileConnectingToAServerThatNeverAnswers_EndsTheAttemptAtOnce()
    {
        using var deadline = Eventually.Deadline();
        using Socket listener = SilentServer(out List<Socket> queued);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        await using Source source = Create($"tcp://127.0.0.1:{port}?connectTimeout=1h");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        Task<SourceStream?> next = source.NextStreamAsync(stop.Token).AsTask();
        await Task.Delay(200, deadline.Token);
        Assert.False(next.IsCompleted);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eventually.WithinLimit(next, "the stop while connecting"));
        Assert.Empty(Warnings());
        queued.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task TcpSource_AlreadyCancelled_ThrowsWithoutConnecting()
    {
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.NextStreamAsync(new CancellationToken(canceled: true)));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task TcpSource_CancelPendingRead_ReturnsCanceledAndLosesNoData()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        using Socket server = await accepting;
        Assert.NotNull(stream);
        PipeReader reader = stream.Reader;

        await server.SendAsync("first\n"u8.ToArray(), deadline.Token);
        Assert.Equal("first\n"u8.ToArray(), await PipeReading.ReadExactlyAsync(reader, 6, deadline.Token));

        // The driver cuts batches this way, from another thread, while the loop waits for data.
        ValueTask<ReadResult> pending = reader.ReadAsync(deadline.Token);
        Assert.False(pending.IsCompleted);
        reader.CancelPendingRead();
        ReadResult canceled = await pending;
        Assert.True(canceled.IsCanceled);
        Assert.False(canceled.IsCompleted);
        reader.AdvanceTo(canceled.Buffer.Start, canceled.Buffer.End);

        await server.SendAsync("second\n"u8.ToArray(), deadline.Token);
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal("second\n"u8.ToArray(), await PipeReading.ReadToEndAsync(reader, deadline.Token));
    }

    [Fact]
    public async Task TcpSource_ALineLongerThanTheBuffer_ArrivingInPieces_IsReadWhole()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using Source source = Create($"tcp://127.0.0.1:{PortOf(listener)}");
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        await using SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        using Socket server = await accepting;
        Assert.NotNull(stream);
        PipeReader reader = stream.Reader;

        // 700,000 bytes with no line end until the last, sent in pieces with pauses: the reader waits between them and
        // grows its 256 KiB buffer rather than cut the line.
        byte[] line = [.. Enumerable.Range(0, 700_000).Select(i => (byte)('a' + (i % 26))), (byte)'\n'];
        Task sending = Task.Run(
            async () =>
            {
                for (int offset = 0; offset < line.Length; offset += 70_000)
                {
                    await server.SendAsync(line.AsMemory(offset, Math.Min(70_000, line.Length - offset)), deadline.Token);
                    await Task.Delay(5, deadline.Token);
                }

                server.Shutdown(SocketShutdown.Send);
            },
            deadline.Token);

        byte[]? whole = null;
        while (whole is null)
        {
            ReadResult result = await reader.ReadAsync(deadline.Token);
            if (result.Buffer.PositionOf((byte)'\n') is { } end)
            {
                whole = result.Buffer.Slice(0, result.Buffer.GetPosition(1, end)).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(1, end));
            }
            else
            {
                Assert.False(result.IsCompleted, "The connection ended before the line did.");
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }

        await sending;
        Assert.Equal(line, whole);
        ReadResult last = await reader.ReadAsync(deadline.Token);
        Assert.True(last.IsCompleted);
        Assert.True(last.Buffer.IsEmpty);
    }

    [Theory]
    [InlineData("tcp://localhost", "has no port")]
    [InlineData("tcp://:99999", "has no host and port '99999', which is not a number from 1 to 65535")]
    [InlineData("tcp://localhost:0", "has port '0', which is not a number from 1 to 65535")]
    [InlineData("tcp://localhost:http", "has port 'http', which is not a number from 1 to 65535")]
    [InlineData("tcp://", "has no host and no port")]
    [InlineData("tcp://bad host:9999", "has 'bad host', which is not a host name or IP address")]
    public void TcpSource_BadHostOrPort_SaysWhatToWrite(string uri, string expected)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource(uri, new SourceContext()));

        Assert.Equal($"tcp source URI '{uri}' {expected}; write tcp://host:port, e.g. tcp://localhost:9999", error.Message);
        Assert.Equal(uri, error.Uri);
    }

    [Theory]
    [InlineData("tcp://::1:9999", "has an IPv6 address without brackets; write tcp://[::1]:9999")]
    [InlineData("tcp://[::1:9999", "opens an IPv6 address with '[' but does not close it; write tcp://[::1]:9999")]
    [InlineData("tcp://localhost:9999?reconnectDelay=fast", "option 'reconnectDelay=fast' of source URI 'tcp://localhost:9999?reconnectDelay=fast' is not valid; write a number and a unit")]
    [InlineData("tcp://localhost:9999?reconnectDelay=10s&maxReconnectDelay=1s", "has maxReconnectDelay 1s shorter than reconnectDelay 10s; make maxReconnectDelay at least as long")]
    [InlineData("tcp://localhost:9999?reconect=1s", "has an unknown option 'reconect'; the options of a tcp source are: connectTimeout, maxReconnectDelay, maxRecordBytes, onBadRecord, onOversize, onPartial, reconnectDelay")]
    public void TcpSource_BadAddressFormOrOption_SaysWhatToWrite(string uri, string expected)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource(uri, new SourceContext()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp://localhost:9999", "localhost", 9999, "tcp://localhost:9999")]
    [InlineData("tcp://localhost:9999/", "localhost", 9999, "tcp://localhost:9999")]
    [InlineData("tcp://10.0.0.7:1", "10.0.0.7", 1, "tcp://10.0.0.7:1")]
    [InlineData("tcp://[::1]:65535", "::1", 65535, "tcp://[::1]:65535")]
    [InlineData("tcp://compose_service:9999", "compose_service", 9999, "tcp://compose_service:9999")]
    [InlineData("TCP://stream-host.example:9999", "stream-host.example", 9999, "tcp://stream-host.example:9999")]
    public void TcpSource_GoodUri_ReadsHostAndPort(string uri, string host, int port, string name)
    {
        var source = Assert.IsType<TcpSource>(ConnectorRegistry.CreateSource(uri, new SourceContext()));

        Assert.Equal(host, source.Host);
        Assert.Equal(port, source.Port);
        Assert.Equal(name, source.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(100), source.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), source.MaxReconnectDelay);
    }

    private TcpSource Create(string uri, TimeProvider? time = null) =>
        Assert.IsType<TcpSource>(ConnectorRegistry.CreateSource(uri, new SourceContext
        {
            LoggerFactory = _loggerFactory,
            TimeProvider = time ?? TimeProvider.System,
        }));

    private List<string> Warnings() =>
        _logs.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToList();

    // A loopback server that accepts no connection and whose queue of connections not yet accepted is full: the kernel
    // drops the next SYN, so a connect to it gets no answer. `queued` holds the connections that fill the queue.
    private static Socket SilentServer(out List<Socket> queued)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        queued = [];
        // A backlog of 1 holds two connections on Linux; a third makes sure, and its own connect may be the one that waits.
        for (int i = 0; i < 3; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                client.Connect(listener.LocalEndPoint!);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
            }

            queued.Add(client);
        }

        return listener;
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int PortOf(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    // A port that nothing listens on: bound for a moment to learn a free one, then released.
    private static int ReservePort()
    {
        using var listener = Listen();
        int port = PortOf(listener);
        listener.Stop();
        return port;
    }
}
