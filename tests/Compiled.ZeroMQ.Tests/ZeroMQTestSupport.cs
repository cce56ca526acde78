using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Connectors;
using Compiled.Hosting;
using NetMQ;

namespace Compiled.ZeroMQ.Tests;

/// <summary>Ports, waits, runs and the test's own NetMQ sockets.</summary>
internal static class ZeroMQTest
{
    /// <summary>A loopback TCP port free now (the system's choice for a listener on port 0).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// An <c>ipc://</c> name NetMQ can bind now, other than <paramref name="besides"/>. NetMQ carries ipc over loopback
    /// TCP on a port derived from the name's hash code (stable within a process, 10000 to 65535), so a random name can
    /// land on a port another program holds: such a name is passed over, and so is one whose port lies in the range the
    /// system hands out to other programs at any moment.
    /// </summary>
    public static string FreeIpcName(string? besides = null)
    {
        for (int attempt = 0; ; attempt++)
        {
            string name = "compiled-test-" + Guid.NewGuid().ToString("N")[..12];
            int port = IpcPort(name);
            if (port >= FirstEphemeralPort || (besides is not null && port == IpcPort(besides)))
            {
                continue;
            }

            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return name;
            }
            catch (SocketException) when (attempt < 50)
            {
                // Derived port taken: try another name.
            }
        }
    }

    // Linux hands out ports from 32768 up to programs that bind port 0 (the servers and clients of the other tests,
    // running alongside): a name whose port lies below that cannot lose its port to one of them between the check and
    // the bind.
    private const int FirstEphemeralPort = 32768;

    /// <summary>The loopback port NetMQ's ipc transport derives from <paramref name="name"/> in this process.</summary>
    private static int IpcPort(string name) => Math.Abs(name.GetHashCode() % 55536) + 10000;

    /// <summary>Waits until <paramref name="condition"/> holds, for up to 30 s.</summary>
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        DateTime giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, "Timed out waiting until " + what);
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Run options on the system clock, without a checkpoint, binding Input and Output.</summary>
    public static PipelineRunOptions Options(string source, string sink)
    {
        var options = new PipelineRunOptions();
        options.SourceUris["Input"] = source;
        options.SinkUris["Output"] = sink;
        return options;
    }

    /// <summary>Receives one message's frames as UTF-8 strings, or <see langword="null"/> when none came within <paramref name="timeout"/>.</summary>
    public static string[]? Receive(NetMQSocket socket, TimeSpan timeout)
    {
        List<string>? frames = null;
        return socket.TryReceiveMultipartStrings(timeout, Encoding.UTF8, ref frames) ? [.. frames!] : null;
    }

    /// <summary>Receives messages until <paramref name="enough"/> says so, failing after <paramref name="seconds"/> (30 s).</summary>
    public static List<string[]> ReceiveUntil(NetMQSocket socket, Func<List<string[]>, bool> enough, int seconds = 30)
    {
        var received = new List<string[]>();
        DateTime giveUp = DateTime.UtcNow.AddSeconds(seconds);
        while (!enough(received))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"Timed out receiving: {received.Count} messages came");
            if (Receive(socket, TimeSpan.FromMilliseconds(100)) is { } message)
            {
                received.Add(message);
            }
        }

        return received;
    }

    /// <summary>Creates a source through the connector's factory, as a run does, and checks its options were all read.</summary>
    public static ZeroMQSource CreateSource(string uri)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "source");
        Source source = ZeroMQSourceFactory.Create(parsed, new SourceContext { SourceName = "Input" });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<ZeroMQSource>(source);
    }

    /// <summary>Creates a sink through the connector's factory, as a run does, and checks its options were all read.</summary>
    public static ZeroMQSink CreateSink(string uri)
    {
        ConnectorUri parsed = ConnectorUri.Parse(uri, "sink");
        Compiled.Sinks.Sink sink = ZeroMQSinkFactory.Create(parsed, new Compiled.Sinks.SinkContext { SinkName = "Output" });
        parsed.ThrowIfUnknownOptions();
        return Assert.IsType<ZeroMQSink>(sink);
    }
}

/// <summary>A logger factory that keeps every line logged, to check what a run says.</summary>
internal sealed class CapturingLoggerFactory(System.Text.StringBuilder lines) : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
{
    /// <summary>What has been logged so far.</summary>
    public static string Read(System.Text.StringBuilder lines)
    {
        lock (lines)
        {
            return lines.ToString();
        }
    }

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines)
        {
            lines.AppendLine(formatter(state, exception));
        }
    }

    public void Dispose()
    {
    }
}
