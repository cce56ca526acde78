using System.Net;
using System.Net.Sockets;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Tcp;
using Compiled.Connectors.WriteAheadLog;

namespace Compiled.Tests.Connectors;

/// <summary>
/// <c>tcp://host:port?wal=true</c>: what the source receives is in its write-ahead log before the job sees it, its
/// position is a place in the log, and a source resumed from a position replays the log from there before connecting.
/// </summary>
public sealed class TcpWriteAheadTests : IDisposable
{
    private readonly TempDirectory _checkpoint = new();

    public void Dispose() => _checkpoint.Dispose();

    [Fact]
    public void WalWithoutACheckpointDirectory_IsAUriErrorSayingToGiveOne()
    {
        ConnectorUriException error = Assert.Throws<ConnectorUriException>(
            () => ConnectorRegistry.CreateSource("tcp://localhost:9999?wal=true", new SourceContext { SourceName = "Lines" }));

        Assert.Contains("wal=true", error.Message, StringComparison.Ordinal);
        Assert.Contains("--checkpoint DIR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_WithoutWal_SaysToWriteWalTrue_WithWal_IsReplayable_AndTheLogIsUnderTheSourceName()
    {
        Source plain = ConnectorRegistry.CreateSource("tcp://localhost:9999", new SourceContext());
        TcpSource logged = Create("tcp://localhost:9999?wal=true");

        Assert.False(plain.Replay.IsReplayable);
        Assert.Contains("wal=true", plain.Replay.Reason, StringComparison.Ordinal);
        Assert.True(logged.Replay.IsReplayable);
        Assert.True(logged.WriteAhead);
        Assert.Equal(Path.Combine(_checkpoint.Path, "wal", "Lines"), logged.WriteAheadLogPath);
    }

    [Fact]
    public async Task ReceivedBytes_AreInTheLogBeforeTheJobSeesThem_AndTheConnectionsEndIsRecorded()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        await using TcpSource source = Create($"tcp://127.0.0.1:{PortOf(listener)}?wal=true");
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream stream = (await source.NextStreamAsync(deadline.Token))!;
        using Socket server = await accepting;

        await server.SendAsync("first\nsecond\n"u8.ToArray(), deadline.Token);
        byte[] seen = await PipeReading.ReadExactlyAsync(stream.Reader, 13, deadline.Token);

        Assert.Equal("first\nsecond\n", Encoding.UTF8.GetString(seen));
        Assert.Equal(["first\nsecond\n"], ReplayLog(source.WriteAheadLogPath!));

        server.Shutdown(SocketShutdown.Send);
        await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token);
        await stream.DisposeAsync();
        using WriteAheadLogDirectory log = WriteAheadLogDirectory.Open(source.WriteAheadLogPath!);
        Assert.Equal(new WriteAheadLogPosition(1, 0), log.End);
    }

    [Fact]
    public async Task AfterACrash_AResumedSourceReplaysFromItsPosition_ThenConnects()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        string uri = $"tcp://127.0.0.1:{PortOf(listener)}?wal=true";

        // The first run receives three lines, but only the first is in a batch when the checkpoint is taken.
        TcpSource first = Create(uri);
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream stream = (await first.NextStreamAsync(deadline.Token))!;
        Socket firstServer = await accepting;
        await firstServer.SendAsync("l1\nl2\nl3\n"u8.ToArray(), deadline.Token);
        await PipeReading.ReadExactlyAsync(stream.Reader, 9, deadline.Token);
        stream.Advance(3, ended: false);
        SourcePosition checkpointed = SourcePosition.FromBytes(first.GetPosition().ToBytes());
        Assert.Equal(new WriteAheadLogPosition(0, 3), WriteAheadLogPosition.FromSourcePosition(checkpointed, "test"));

        // The job dies: its connection goes with it, and nothing closes the log.
        await stream.DisposeAsync();
        firstServer.Dispose();

        TcpSource second = Create(uri);
        second.ResumeFrom(checkpointed);
        SourceStream replayed = (await second.NextStreamAsync(deadline.Token))!;

        Assert.Equal("l2\nl3\n", Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(replayed.Reader, deadline.Token)));
        replayed.Advance(6, ended: true);
        Assert.Equal(new WriteAheadLogPosition(1, 0), WriteAheadLogPosition.FromSourcePosition(second.GetPosition(), "test"));

        // Replayed: the source connects, and the new connection is the log's next.
        accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream live = (await second.NextStreamAsync(deadline.Token))!;
        using Socket secondServer = await accepting;
        await secondServer.SendAsync("l4\n"u8.ToArray(), deadline.Token);
        Assert.Equal("l4\n", Encoding.UTF8.GetString(await PipeReading.ReadExactlyAsync(live.Reader, 3, deadline.Token)));
        live.Advance(3, ended: false);
        Assert.Equal(new WriteAheadLogPosition(1, 3), WriteAheadLogPosition.FromSourcePosition(second.GetPosition(), "test"));

        await live.DisposeAsync();
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Checkpointed_TrimsTheSegmentsBeforeThePreviousCheckpointsPosition()
    {
        using var deadline = Eventually.Deadline();
        using var listener = Listen();
        var context = new SourceContext { CheckpointDirectory = _checkpoint.Path, SourceName = "Lines" };
        await using var source = new TcpSource(Compiled.Connectors.ConnectorUri.Parse($"tcp://127.0.0.1:{PortOf(listener)}?wal=true", "source"), context)
        {
            WriteAheadSegmentBytes = 4096,
        };
        Task<Socket> accepting = listener.AcceptSocketAsync(deadline.Token).AsTask();
        SourceStream stream = (await source.NextStreamAsync(deadline.Token))!;
        using Socket server = await accepting;
        byte[] sent = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i:D4}\n")));
        for (int offset = 0; offset < sent.Length; offset += 500)
        {
            // Several receives, so the log has several entries to spread over its 4 KiB segments.
            await server.SendAsync(sent.AsMemory(offset, Math.Min(500, sent.Length - offset)), deadline.Token);
            await PipeReading.ReadExactlyAsync(stream.Reader, Math.Min(500, sent.Length - offset), deadline.Token);
        }

        string log = source.WriteAheadLogPath!;
        int segments = Directory.GetFiles(log).Length;
        Assert.True(segments >= 3, $"expected the log to span several segments, it has {segments}");

        // The first checkpoint (after 6000 bytes) trims nothing: the checkpoint before it may still be resumed from.
        stream.Advance(6000, ended: false);
        SourcePosition first = source.GetPosition();
        await source.CheckpointedAsync(first, deadline.Token);
        Assert.Equal(segments, Directory.GetFiles(log).Length);

        // The second trims the segments wholly before the first one's position, and no more.
        stream.Advance(sent.Length - 6000, ended: false);
        await source.CheckpointedAsync(source.GetPosition(), deadline.Token);
        string[] left = Directory.GetFiles(log);
        Assert.InRange(left.Length, 1, segments - 1);
        using WriteAheadLogDirectory reopened = WriteAheadLogDirectory.Open(CopyOf(log));
        Assert.True(reopened.Start <= new WriteAheadLogPosition(0, 6000), $"the log starts at {reopened.Start}, after the first checkpoint's position");
        Assert.True(reopened.Start > new WriteAheadLogPosition(0, 0));
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task WithoutAPositionToResumeFrom_TheWholeLogIsReplayed()
    {
        using var deadline = Eventually.Deadline();
        string path = Path.Combine(_checkpoint.Path, "wal", "Lines");
        using (WriteAheadLogDirectory log = WriteAheadLogDirectory.Open(path))
        {
            log.BeginConnection();
            log.Append("never checkpointed\n"u8);
        }

        await using TcpSource source = Create("tcp://127.0.0.1:9?wal=true");
        SourceStream replayed = (await source.NextStreamAsync(deadline.Token))!;

        Assert.Equal("never checkpointed\n", Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(replayed.Reader, deadline.Token)));
    }

    [Fact]
    public async Task ResumeFrom_APositionTheLogDoesNotReach_FailsSayingTheLogWasCutShort()
    {
        using var deadline = Eventually.Deadline();
        await using TcpSource source = Create("tcp://127.0.0.1:9?wal=true");
        source.ResumeFrom(new WriteAheadLogPosition(4, 10).ToSourcePosition(source.Name));

        SourcePositionException error = await Assert.ThrowsAsync<SourcePositionException>(() => source.NextStreamAsync(deadline.Token).AsTask());

        Assert.Contains("ends at connection 0 at byte 0, before the checkpoint's position (connection 4 at byte 10)", error.Message, StringComparison.Ordinal);
        Assert.Contains("start from a new checkpoint directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeFrom_AnotherSourcesPosition_IsRefused()
    {
        TcpSource source = Create("tcp://127.0.0.1:9?wal=true");

        Assert.Throws<InvalidDataException>(() => source.ResumeFrom(new SourcePosition([9, 9], "file /in.txt at byte 2")));
    }

    private TcpSource Create(string uri) =>
        Assert.IsType<TcpSource>(ConnectorRegistry.CreateSource(uri, new SourceContext { CheckpointDirectory = _checkpoint.Path, SourceName = "Lines" }));

    // The log's connections as a restart would replay them (opening the log ends a connection left open).
    private static List<string> ReplayLog(string path)
    {
        string copy = Path.Combine(Path.GetTempPath(), "compiled-wal-copy-" + Guid.NewGuid().ToString("N"));
        try
        {
            // A copy, so that reading does not end the live connection in the log being written.
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(path))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using WriteAheadLogDirectory log = WriteAheadLogDirectory.Open(copy);
            using WriteAheadLogReplay replay = log.Replay(log.Start);
            var connections = new List<string>();
            while (replay.TryNextConnection(out _, out Stream stream))
            {
                using var reader = new StreamReader(stream);
                connections.Add(reader.ReadToEnd());
            }

            return connections;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    // A copy of a log directory in the test's temporary directory (opening the log itself would end its connection).
    private string CopyOf(string log)
    {
        string copy = Path.Combine(_checkpoint.Path, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(log))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        return copy;
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int PortOf(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
