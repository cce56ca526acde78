using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Compiled.Benchmarks.Peers.WordCount;

/// <summary>
/// The lines a TCP server sends, as a .NET user reads them: a <see cref="TcpClient"/>'s <see cref="NetworkStream"/>
/// through a <see cref="StreamReader"/>, <see cref="StreamReader.ReadLine"/> until the server closes the connection.
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
}
