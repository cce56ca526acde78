using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Compiled.Connectors.Tcp;

/// <summary>
/// The stream a <see cref="TcpSource"/> connection with a write-ahead log is read through (the log is written as the
/// stream is read; without one a connection is read by <see cref="TcpConnectionReader"/>): a <see cref="NetworkStream"/> that owns
/// its socket, counts the bytes received, and ends like a close when the peer resets the connection.
/// </summary>
/// <remarks>
/// A reset (RST) is how a producer that crashed or closed with unread data says goodbye. Ending the stream
/// there, instead of throwing, lets the driver hand over what arrived and ask for the next connection, as
/// it does after an orderly close. Only the <see cref="Memory{T}"/> overload of <c>ReadAsync</c> is
/// adapted, because that is the one <see cref="System.IO.Pipelines.PipeReader"/> calls.
/// </remarks>
internal sealed class TcpReceiveStream : NetworkStream, ITcpConnection
{
    public TcpReceiveStream(Socket socket)
        : base(socket, ownsSocket: true)
    {
    }

    /// <summary>Bytes received on this connection so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Whether the connection ended with a reset rather than an orderly close.</summary>
    public bool WasReset { get; private set; }

    // The pooling builder keeps a read that completes asynchronously from allocating a state machine box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            int read = await base.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesReceived += read;
            return read;
        }
        catch (IOException error) when (error.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            WasReset = true;
            return 0;
        }
    }
}
