using Compiled.Connectors;

namespace Compiled.ZeroMQ.Tests;

/// <summary>What a ZeroMQ URI means, and the messages of the ones that mean nothing.</summary>
public sealed class ZeroMQUriTests
{
    [Theory]
    [InlineData("zmq+tcp://127.0.0.1:5557", ZeroMQSocketKind.Pull, true, "tcp://127.0.0.1:5557")]
    [InlineData("zmq+tcp://127.0.0.1:5557?socket=pull&bind=false", ZeroMQSocketKind.Pull, false, "tcp://127.0.0.1:5557")]
    [InlineData("zmq+tcp://pub.example:5556?socket=sub", ZeroMQSocketKind.Sub, false, "tcp://pub.example:5556")]
    [InlineData("zmq+tcp://*:5556?socket=sub", ZeroMQSocketKind.Sub, true, "tcp://*:5556")]
    [InlineData("zmq+tcp://[::1]:5556?socket=SUB&bind=true", ZeroMQSocketKind.Sub, true, "tcp://[::1]:5556")]
    [InlineData("zmq+ipc:///tmp/feed.ipc?socket=pull", ZeroMQSocketKind.Pull, true, "ipc:///tmp/feed.ipc")]
    public void Source_SocketAndBindDefaults(string uri, ZeroMQSocketKind socket, bool bind, string address)
    {
        ZeroMQSource source = ZeroMQTest.CreateSource(uri);

        Assert.Equal(socket, source.Options.Endpoint.Socket);
        Assert.Equal(bind, source.Options.Endpoint.Bind);
        Assert.Equal(address, source.Options.Endpoint.Address);
        Assert.Equal(ZeroMQEndpoint.DefaultHighWaterMark, source.Options.Endpoint.HighWaterMark);
        Assert.False(source.Replay.IsReplayable);
    }

    [Theory]
    [InlineData("zmq+tcp://127.0.0.1:5558", ZeroMQSocketKind.Push, false)]
    [InlineData("zmq+tcp://127.0.0.1:5558?socket=push&bind=true", ZeroMQSocketKind.Push, true)]
    [InlineData("zmq+tcp://127.0.0.1:5556?socket=pub", ZeroMQSocketKind.Pub, true)]
    [InlineData("zmq+tcp://127.0.0.1:5556?socket=pub&bind=false&hwm=5&linger=200ms&sendTimeout=2s", ZeroMQSocketKind.Pub, false)]
    public void Sink_SocketAndBindDefaults(string uri, ZeroMQSocketKind socket, bool bind)
    {
        ZeroMQSink sink = ZeroMQTest.CreateSink(uri);

        Assert.Equal(socket, sink.Options.Endpoint.Socket);
        Assert.Equal(bind, sink.Options.Endpoint.Bind);
    }

    [Fact]
    public void Sink_Options_HighWaterMarkLingerAndSendTimeout()
    {
        ZeroMQSink sink = ZeroMQTest.CreateSink("zmq+tcp://127.0.0.1:5558?hwm=5&linger=200ms&sendTimeout=2s");

        Assert.Equal(5, sink.Options.Endpoint.HighWaterMark);
        Assert.Equal(TimeSpan.FromMilliseconds(200), sink.Options.Linger);
        Assert.Equal(TimeSpan.FromSeconds(2), sink.Options.SendTimeout);
        Assert.Null(ZeroMQTest.CreateSink("zmq+tcp://127.0.0.1:5558").Options.SendTimeout);
    }

    [Fact]
    public void Sub_Topics_CommaSeparated_OrEverythingWhenNone()
    {
        ZeroMQSource some = ZeroMQTest.CreateSource("zmq+tcp://127.0.0.1:5556?socket=sub&topic=prices.,trades,prices.");
        ZeroMQSource all = ZeroMQTest.CreateSource("zmq+tcp://127.0.0.1:5556?socket=sub");

        Assert.Equal(["prices.", "trades"], some.Options.Topics.Select(t => System.Text.Encoding.UTF8.GetString(t)));
        Assert.Equal([""], all.Options.Topics.Select(t => System.Text.Encoding.UTF8.GetString(t)));
    }

    [Theory]
    [InlineData("zmq+tcp://127.0.0.1", "names no host and port; write zmq+tcp://host:port?socket=pull|sub")]
    [InlineData("zmq+tcp://:5557", "names no host and port")]
    [InlineData("zmq+tcp://127.0.0.1:99999", "port '99999', which is not a port")]
    [InlineData("zmq+tcp://127.0.0.1:5557/feed", "has a path ('/feed')")]
    [InlineData("zmq+tcp://127.0.0.1:5557?socket=push", "a ZeroMQ source is socket=pull or sub")]
    [InlineData("zmq+tcp://127.0.0.1:5557?socket=pull&topic=a", "sets topic, which only a subscriber filters by; add socket=sub")]
    [InlineData("zmq+tcp://*:5557?bind=false", "connects (bind=false) to host '*'")]
    [InlineData("zmq+tcp://127.0.0.1:5557?hwm=-1", "option 'hwm=-1'")]
    [InlineData("zmq+tcp://127.0.0.1:5557?hmw=10", "unknown option 'hmw'; the options of a zmq+tcp source are: bind, hwm")]
    [InlineData("zmq+ipc://", "names no path; write zmq+ipc:///tmp/NAME.ipc")]
    public void Source_BadUri_SaysWhatToWrite(string uri, string message)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ZeroMQTest.CreateSource(uri));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zmq+tcp://127.0.0.1:5558?socket=pull", "a ZeroMQ sink is socket=push or pub")]
    [InlineData("zmq+tcp://127.0.0.1:5558?sendTimeout=soon", "option 'sendTimeout=soon'")]
    [InlineData("zmq+tcp://127.0.0.1:5558?topic=a", "unknown option 'topic'")]
    public void Sink_BadUri_SaysWhatToWrite(string uri, string message)
    {
        var error = Assert.Throws<ConnectorUriException>(() => ZeroMQTest.CreateSink(uri));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
