using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// A loopback TCP server for one run of a job: the first connection it accepts gets the whole file, as fast as the
/// reader takes it (the kernel's <c>sendfile</c>), then the server closes its side. A reader that ends at the close
/// (the hand-written job) exits by itself. A reader that connects again after it (the compiled job's <c>tcp</c>
/// source, which is unbounded: it reconnects when the server closes, as the README says) has by then read and
/// processed the whole first connection, so the server stops it as a user stops a job: SIGTERM to the job's process,
/// which ends reading and commits the batch in flight at once (exit 0). The later connection is held open, without
/// data, until the server is disposed.
/// </summary>
/// <remarks>
/// The job's process is this process's child (the harness runs one job at a time): found by its parent id in
/// <c>/proc</c>, so the harness's process runner needs no hook.
/// </remarks>
internal sealed partial class TcpFeeder : IDisposable
{
    private const int SignalTerminate = 15;

    private readonly string _path;
    private readonly Socket _listener;
    private readonly List<Socket> _held = [];
    private readonly Thread _server;
    private volatile bool _disposed;

    /// <summary>Listens on a free loopback port and serves <paramref name="path"/> to the first connection.</summary>
    public TcpFeeder(string path)
    {
        _path = path;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _server = new Thread(Serve) { IsBackground = true, Name = "tcp feeder" };
        _server.Start();
    }

    /// <summary>Where the server listens: 127.0.0.1 and the port it was given.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Whether a reader connected again after the file and was sent SIGTERM.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Why serving failed (the file could not be sent whole), or <see langword="null"/>.</summary>
    public string? Failure { get; private set; }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
        _server.Join();
        foreach (Socket socket in _held)
        {
            socket.Dispose();
        }
    }

    private void Serve()
    {
        try
        {
            using (Socket first = _listener.Accept())
            {
                first.SendBufferSize = 4 << 20;
                first.SendFile(_path);
                first.Shutdown(SocketShutdown.Send);
            }

            while (true)
            {
                Socket again = _listener.Accept();
                _held.Add(again);
                if (!Stopped)
                {
                    Stopped = true;
                    StopChildren();
                }
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            if (!_disposed)
            {
                Failure = $"serving '{_path}' on {EndPoint} failed: {error.Message}";
            }
        }
    }

    // SIGTERM to every child process of this process: the job the harness is running.
    private static void StopChildren()
    {
        string self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (name) state ppid ...", the name in parentheses may hold spaces.
                string stat = File.ReadAllText(Path.Combine(directory, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == self)
                {
                    _ = Kill(pid, SignalTerminate);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
