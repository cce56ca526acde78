using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.IO;
using Akka.Streams.Dsl;
using Akka.Streams.IO;

namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// What a TCP server sends, as a .NET user reads it: a <see cref="TcpClient"/>'s <see cref="NetworkStream"/>, through a
/// <see cref="StreamReader"/> line by line (<see cref="StreamReader.ReadLine"/>) until the server closes the connection,
/// or, for Akka.Streams, as a source of its bytes (<c>StreamConverters.FromInputStream</c>).
/// </summary>
internal static class TcpLines
{
    /// <summary>Connects to <paramref name="server"/> (<c>HOST:PORT</c>, an IP address) and yields its lines until it closes.</summary>
    public static IEnumerable<string> Read(string server)
    {
        using var client = new TcpClient();
        client.Connect(IPEndPoint.Parse(server));
        using var reader = new StreamReader(client.GetStream(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    /// <summary>The bytes the server at <paramref name="server"/> sends until it closes, as an Akka.Streams source (connected when it runs).</summary>
    public static Source<ByteString, Task<IOResult>> Bytes(string server) =>
        StreamConverters.FromInputStream(() =>
        {
            var client = new TcpClient();
            client.Connect(IPEndPoint.Parse(server));
            return new NetworkStream(client.Client, ownsSocket: true);
        });
}
