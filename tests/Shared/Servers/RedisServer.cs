// Shared by the test projects that link it: a real redis-server on a free loopback port, with its data in a temporary
// directory, stopped and deleted at the end. scripts/servers/install.sh installs the Debian package.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Compiled.Tests.Shared.Servers;

/// <summary>
/// A redis-server process of the test's own: <c>127.0.0.1</c>, a free port, no configuration file, data in a temporary
/// directory. It can be stopped and started again on the same port and data (to take the server away in the middle of
/// a run); <see cref="DisposeAsync"/> stops it and deletes the data.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(15);

    private readonly string _executable;
    private readonly bool _durable;
    private Process? _process;

    private RedisServer(string executable, string directory, bool durable)
    {
        _executable = executable;
        Directory = directory;
        _durable = durable;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:port</c>, as StackExchange.Redis takes it.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>The server's working directory (its append-only file and log).</summary>
    public string Directory { get; }

    /// <summary>The server's log file, quoted in errors.</summary>
    public string LogFile => Path.Combine(Directory, "redis.log");

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a server and waits until it answers <c>PING</c>. A <paramref name="durable"/> server writes every write
    /// to its append-only file before answering (<c>appendfsync always</c>), so that what it acknowledged before a
    /// <see cref="Kill"/> is still there after <see cref="StartAgainAsync"/>; otherwise it keeps its data in memory only.
    /// </summary>
    public static async Task<RedisServer> StartAsync(bool durable = false)
    {
        string directory = Path.Combine(Path.GetTempPath(), "compiled-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(FindExecutable(), directory, durable);
        try
        {
            // A free port found by binding port 0 can be taken by someone else before redis binds it: try a few.
            for (int attempt = 1; ; attempt++)
            {
                server.Port = FreeLoopbackPort();
                if (await server.TryStartAsync() || attempt == 5)
                {
                    break;
                }
            }

            if (!server.IsRunning)
            {
                throw new InvalidOperationException($"redis-server did not start on a free loopback port in 5 tries; its log:\n{server.LogTail()}");
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL), as a crash or a lost machine would; the port and directory are kept.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }
    }

    /// <summary>Starts the server again after <see cref="Kill"/>, on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The redis server is still running; Kill it before starting it again.");
        }

        if (!await TryStartAsync())
        {
            throw new InvalidOperationException($"redis-server did not start again on port {Port}; its log:\n{LogTail()}");
        }
    }

    /// <summary>Stops the server and deletes its data.</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _process = null;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // The server may hold its log for a moment after it died; the OS cleans the temporary directory eventually.
        }

        return default;
    }

    /// <summary>Starts the process on <see cref="Port"/>; false if it exited before answering (the port was taken).</summary>
    private async Task<bool> TryStartAsync()
    {
        var start = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string argument in (string[])[
            "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", Directory, "--logfile", LogFile, "--daemonize", "no", "--save", "",
            "--appendonly", _durable ? "yes" : "no", "--appendfsync", "always"])
        {
            start.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{_executable} did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var giveUp = Stopwatch.StartNew();
        while (giveUp.Elapsed < ReadyWithin)
        {
            if (_process.HasExited)
            {
                return false;
            }

            if (await AnswersPingAsync())
            {
                return true;
            }

            await Task.Delay(20);
        }

        Kill();
        throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within {ReadyWithin.TotalSeconds} s; its log:\n{LogTail()}");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            byte[] answer = new byte[7];
            int read = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (read < answer.Length)
            {
                int n = await stream.ReadAsync(answer.AsMemory(read), timeout.Token);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            // "-LOADING" while it reads its append-only file back: not ready yet.
            return answer.AsSpan().SequenceEqual("+PONG\r\n"u8);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private string LogTail()
    {
        try
        {
            string[] lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.TakeLast(20));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindExecutable()
    {
        string[] directories = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/bin", "/usr/local/bin"];
        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The Redis tests start a real redis-server, and none is on PATH; run scripts/servers/install.sh (Debian: apt-get install -y redis-server) and run the tests again.");
    }
}
