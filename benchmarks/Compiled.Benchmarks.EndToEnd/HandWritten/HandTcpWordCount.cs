using System.Net;
using System.Net.Sockets;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// The word count of a TCP stream, written by hand as <see cref="HandWordCount"/> is for a file: one connection to
/// the server, read with blocking <see cref="Socket.Receive(Span{byte})"/> calls straight into the 4 MiB block of
/// <see cref="WordSplitter"/> (each block filled as far as the socket has data, up to the block), the same splitting
/// and <see cref="WordTable"/>, until the server closes the connection; then the counts are written as
/// <c>(word,count)</c> lines and flushed to disk.
/// </summary>
internal static class HandTcpWordCount
{
    /// <summary>Counts the words the server at <paramref name="server"/> sends until it closes, and writes the counts to <paramref name="outputPath"/>.</summary>
    public static void Run(IPEndPoint server, string outputPath)
    {
        var table = new WordTable();
        using (var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.ReceiveBufferSize = 4 << 20;
            socket.Connect(server);
            WordSplitter.CountAll(table, into => ReceiveBlock(socket, into));
        }

        using var output = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        table.WriteTo(output);
        output.Flush(flushToDisk: true);
    }

    // Fills `into` from the socket as far as it goes (at least 1 MiB or to the end, so that the splitter runs over large
    // blocks); 0 once the server has closed the connection and everything it sent has been read.
    private static int ReceiveBlock(Socket socket, Span<byte> into)
    {
        int filled = 0;
        int enough = Math.Min(into.Length, 1 << 20);
        while (filled < enough)
        {
            int received = socket.Receive(into[filled..]);
            if (received == 0)
            {
                break;
            }

            filled += received;
        }

        return filled;
    }
}
