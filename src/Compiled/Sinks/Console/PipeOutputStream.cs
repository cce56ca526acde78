namespace Compiled.Sinks.Console;

/// <summary>
/// Standard output as a pipe, a terminal or a socket, written through a <see cref="FileStream"/> on descriptor 1 and
/// waiting for its reader whether the descriptor blocks or not.
/// </summary>
/// <remarks>
/// A parent may hand over standard output in non-blocking mode (<c>O_NONBLOCK</c>, which some process managers and
/// runtimes leave set on the pipes they create): a write into a full pipe then fails with <c>EAGAIN</c> instead of
/// waiting. This stream waits and writes again, as a blocking write would have waited. It writes at most
/// <see cref="AtomicBytes"/> at a time, the size a pipe writes whole or not at all (POSIX's <c>PIPE_BUF</c>), so a
/// write refused with <c>EAGAIN</c> wrote nothing and writing it again duplicates nothing. A closed pipe
/// (<c>EPIPE</c>) and every other error are thrown as they are.
/// </remarks>
internal sealed class PipeOutputStream(FileStream output) : Stream
{
    /// <summary>POSIX's <c>PIPE_BUF</c> minimum and Linux's and macOS's value: a pipe writes this many bytes whole or not at all.</summary>
    internal const int AtomicBytes = 4096;

    // The longest wait between two tries on a full non-blocking pipe: short enough to follow a reader closely.
    private const int MostWaitMilliseconds = 50;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = buffer[..Math.Min(AtomicBytes, buffer.Length)];
            WriteWhole(chunk);
            buffer = buffer[chunk.Length..];
        }
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Flush() => output.Flush();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Whether <paramref name="error"/> is <c>EAGAIN</c>: a non-blocking descriptor that cannot take the bytes now.</summary>
    internal static bool IsWouldBlock(IOException error) =>
        error.HResult == (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 35 : 11);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            output.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteWhole(ReadOnlySpan<byte> chunk)
    {
        int wait = 1;
        while (true)
        {
            try
            {
                output.Write(chunk);
                return;
            }
            catch (IOException error) when (IsWouldBlock(error))
            {
                Thread.Sleep(wait);
                wait = Math.Min(wait * 2, MostWaitMilliseconds);
            }
        }
    }
}
