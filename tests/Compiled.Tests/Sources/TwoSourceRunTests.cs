using System.Net;
using System.Net.Sockets;
using Compiled.Hosting;

namespace Compiled.Tests.Sources;

/// <summary>Two sockets unioned; a line "boom" makes the operator throw, as a bug in user code would.</summary>
[Pipeline(BatchInterval = "200ms")]
public static partial class TwoSockets
{
    [Source]
    public static partial Lines First();

    [Source]
    public static partial Lines Second();

    [Union(Input = nameof(First), Other = nameof(Second))]
    public static partial ReadOnlySpan<byte> Both(ReadOnlySpan<byte> line);

    [Map]
    public static int Length(ReadOnlySpan<byte> line) =>
        line.SequenceEqual("boom"u8) ? throw new InvalidOperationException("boom") : line.Length;

    [Sink(Default = "console")]
    public static partial void Lengths(int length);
}

/// <summary>However a run with two sources ends, every connection it opened is closed.</summary>
public class TwoSourceRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Abort_WhileOneSourceStillConnects_ClosesTheOthersConnection(bool connectingFirst)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string live = $"tcp://127.0.0.1:{Port(listener)}";
        string dead = $"tcp://127.0.0.1:{DeadPort()}?reconnectDelay=50ms&maxReconnectDelay=50ms";
        await using var run = new PipelineRun(TwoSockets.Definition, Options(connectingFirst ? dead : live, connectingFirst ? live : dead));
        using var abort = new CancellationTokenSource();
        Task running = run.RunAsync(TestContext.Current.CancellationToken, abort.Token);
        using Socket server = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        server.Send("abc\n"u8);
        await WaitForAsync(() => run.Sources.Sum(s => s.Counters.Records) == 1);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience, TestContext.Current.CancellationToken));

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Equal(0, await ReadUntilClosedAsync(server));
    }

    [Fact]
    public async Task Failure_InOneSourcesRecords_ClosesBothConnections()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        await using var run = new PipelineRun(TwoSockets.Definition, Options($"tcp://127.0.0.1:{Port(first)}", $"tcp://127.0.0.1:{Port(second)}"));
        Task running = run.RunAsync(TestContext.Current.CancellationToken);
        using Socket firstServer = await first.AcceptSocketAsync(TestContext.Current.CancellationToken);
        using Socket secondServer = await second.AcceptSocketAsync(TestContext.Current.CancellationToken);
        firstServer.Send("fine\n"u8);
        await WaitForAsync(() => run.Sources[0].Counters.Records == 1);

        secondServer.Send("boom\n"u8);
        var failure = await Assert.ThrowsAsync<PipelineFailedException>(() => running.WaitAsync(Patience, TestContext.Current.CancellationToken));

        Assert.Equal("boom", failure.InnerException?.Message);
        Assert.Equal(0, await ReadUntilClosedAsync(firstServer));
        Assert.Equal(0, await ReadUntilClosedAsync(secondServer));
    }

    private static PipelineRunOptions Options(string first, string second)
    {
        var options = new PipelineRunOptions { OpenStandardOutput = () => Stream.Null };
        options.SourceUris["First"] = first;
        options.SourceUris["Second"] = second;
        return options;
    }

    // What the server reads once the run has ended: 0 when the run closed the connection; fails if it stays open.
    private static async Task<int> ReadUntilClosedAsync(Socket server)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        return await server.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the pipeline.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    // A port nothing listens on: one a listener held and let go.
    private static int DeadPort()
    {
        using var reserve = new TcpListener(IPAddress.Loopback, 0);
        reserve.Start();
        return Port(reserve);
    }
}
