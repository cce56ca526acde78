namespace Compiled.Connectors.Tcp;

/// <summary>A <see cref="TcpSource"/> connection as the source sees it: what it received, and how it ended.</summary>
internal interface ITcpConnection : IAsyncDisposable
{
    /// <summary>Bytes received on this connection so far.</summary>
    long BytesReceived { get; }

    /// <summary>Whether the connection ended with a reset rather than an orderly close.</summary>
    bool WasReset { get; }
}
