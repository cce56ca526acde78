using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.ZeroMQ;

// A project that references Compiled.ZeroMQ may write Default = "zmq+tcp://..." on a sink and --sink zmq+tcp://...
[assembly: SinkConnector("zmq+tcp", typeof(ZeroMQSinkFactory), Usage = ZeroMQSinkFactory.Usage)]
[assembly: SinkConnector("zmq+ipc", typeof(ZeroMQSinkFactory), Usage = ZeroMQSinkFactory.IpcUsage)]

namespace Compiled.ZeroMQ;

/// <summary>Creates the <c>zmq+tcp://</c> and <c>zmq+ipc://</c> sinks; declared to the generator by this assembly's <see cref="SinkConnectorAttribute"/>s.</summary>
public sealed class ZeroMQSinkFactory : ISinkFactory
{
    /// <summary>The TCP URI form the unknown-scheme message shows.</summary>
    public const string Usage = "zmq+tcp://host:port?socket=push|pub";

    /// <summary>The ipc URI form the unknown-scheme message shows.</summary>
    public const string IpcUsage = "zmq+ipc://path?socket=push|pub";

    /// <summary>Checks the URI and creates the sink; it opens its socket when the run opens it.</summary>
    public static Sink Create(ConnectorUri uri, SinkContext context) => new ZeroMQSink(uri, context);
}
