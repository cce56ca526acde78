using System.IO.Pipes;
using Compiled.Connectors;
using Compiled.Connectors.Stdin;

namespace Compiled.Tests.Connectors;

public sealed class StdinSourceTests
{
    [Fact]
    public async Task StdinSource_DeliversAllOfStandardInputThenEnds()
    {
        using var deadline = Eventually.Deadline();
        byte[] input = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(input);
        await using Source source = Create(() => new MemoryStream(input));

        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.Equal("stdin:", stream.Name);

        // More than the pipe holds before it pushes back, so the copying thread has to wait for the reader.
        Assert.Equal(input, await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token));
        await stream.DisposeAsync();
        Assert.Null(await source.NextStreamAsync(deadline.Token));
    }

    [Fact]
    public async Task StdinSource_ReadWaitingOnQuietInput_IsCancelledPromptly()
    {
        using var deadline = Eventually.Deadline();
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var input = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        await using Source source = Create(() => input);
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);

        await writer.WriteAsync("typed\n"u8.ToArray(), deadline.Token);
        Assert.Equal("typed\n"u8.ToArray(), await PipeReading.ReadExactlyAsync(stream.Reader, 6, deadline.Token));

        // Nothing more is typed: the copying thread sits in a blocking read, yet the reader's wait can be ended.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        Task<System.IO.Pipelines.ReadResult> pending = stream.Reader.ReadAsync(stop.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await stop.CancelAsync();
        Task finished = await Task.WhenAny(pending, Task.Delay(Eventually.Limit, deadline.Token));
        Assert.Same(pending, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        // So can the driver's batch cut, and what is typed afterwards still arrives, then the end of input.
        var cut = stream.Reader.ReadAsync(deadline.Token);
        stream.Reader.CancelPendingRead();
        var result = await cut;
        Assert.True(result.IsCanceled);
        stream.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        await writer.WriteAsync("more\n"u8.ToArray(), deadline.Token);
        writer.Close();
        Assert.Equal("more\n"u8.ToArray(), await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token));
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task StdinSource_AlreadyCancelled_Throws()
    {
        await using Source source = Create(() => new MemoryStream("x"u8.ToArray()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await source.NextStreamAsync(new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task StdinSource_ReadError_ReachesTheReader()
    {
        using var deadline = Eventually.Deadline();
        await using Source source = Create(() => new FailingStream());
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);

        var error = await Assert.ThrowsAsync<IOException>(() => PipeReading.ReadToEndAsync(stream.Reader, deadline.Token));
        Assert.Equal("the terminal went away", error.Message);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task StdinSource_ReaderCompletesEarly_CopyingThreadStopsAndClosesInput()
    {
        using var deadline = Eventually.Deadline();
        var input = new EndlessStream();
        await using Source source = Create(() => input);
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        await PipeReading.ReadExactlyAsync(stream.Reader, 100, deadline.Token);

        await stream.DisposeAsync();

        await Eventually.UntilAsync(() => input.Disposed, "the copying thread notices the reader is gone and closes standard input");
    }

    [Fact]
    public void StdinSource_WithTarget_SaysWhatToWrite()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("stdin:input.txt", new SourceContext()));

        Assert.Equal("stdin source URI 'stdin:input.txt' names 'input.txt', but standard input has no target; write stdin:", error.Message);
    }

    [Fact]
    public void StdinSource_UnknownOption_IsRejected()
    {
        var error = Assert.Throws<ConnectorUriException>(() => ConnectorRegistry.CreateSource("stdin:?watch=true", new SourceContext()));

        Assert.Contains("unknown option 'watch'; the options of a stdin source are: maxRecordBytes, onBadRecord, onOversize", error.Message, StringComparison.Ordinal);
    }

    private static Source Create(Func<Stream> input) =>
        Assert.IsType<StdinSource>(ConnectorRegistry.CreateSource("stdin:", new SourceContext { OpenStandardInput = input }));

    private sealed class FailingStream : Stream
    {
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_sent)
            {
                _sent = true;
                buffer[0] = (byte)'a';
                return 1;
            }

            throw new IOException("the terminal went away");
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class EndlessStream : Stream
    {
        private volatile bool _disposed;

        public bool Disposed => _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            buffer.Fill((byte)'y');
            return buffer.Length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
