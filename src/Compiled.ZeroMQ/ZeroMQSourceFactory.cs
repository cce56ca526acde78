using Compiled.Connectors;
using Compiled.ZeroMQ;

// A project that references Compiled.ZeroMQ may write Default = "zmq+tcp://..." on a source and --source zmq+tcp://...
[assembly: SourceConnector("zmq+tcp", typeof(ZeroMQSourceFactory), Usage = ZeroMQSourceFactory.Usage)]
[assembly: SourceConnector("zmq+ipc", typeof(ZeroMQSourceFactory), Usage = ZeroMQSourceFactory.IpcUsage)]

namespace Compiled.ZeroMQ;

/// <summary>Creates the <c>zmq+tcp://</c> and <c>zmq+ipc://</c> sources; declared to the generator by this assembly's <see cref="SourceConnectorAttribute"/>s.</summary>
public sealed class ZeroMQSourceFactory : ISourceFactory
{
    /// <summary>The TCP URI form the unknown-scheme message shows.</summary>
    public const string Usage = "zmq+tcp://host:port?socket=pull|sub";

    /// <summary>The ipc URI form the unknown-scheme message shows.</summary>
    public const string IpcUsage = "zmq+ipc://path?socket=pull|sub";

    /// <summary>Checks the URI and creates the source; it opens its socket when the run first reads it.</summary>
    public static Source Create(ConnectorUri uri, SourceContext context) => new ZeroMQSource(uri, context);
}
