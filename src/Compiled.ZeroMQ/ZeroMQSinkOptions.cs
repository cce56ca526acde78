using Compiled.Connectors;

namespace Compiled.ZeroMQ;

/// <summary>
/// A ZeroMQ sink URI taken apart: <c>zmq+tcp://host:port?socket=push|pub</c> or <c>zmq+ipc://path?socket=...</c>, with
/// <c>bind</c>, <c>hwm</c>, <c>linger</c> and <c>sendTimeout</c>.
/// </summary>
public sealed class ZeroMQSinkOptions
{
    private ZeroMQSinkOptions(string text, ZeroMQEndpoint endpoint, TimeSpan linger, TimeSpan? sendTimeout)
    {
        Text = text;
        Endpoint = endpoint;
        Linger = linger;
        SendTimeout = sendTimeout;
    }

    /// <summary>The URI as written.</summary>
    public string Text { get; }

    /// <summary>The socket: its address, kind (<c>push</c> or <c>pub</c>), bind or connect, high-water mark.</summary>
    public ZeroMQEndpoint Endpoint { get; }

    /// <summary>How long closing the sink waits for messages still queued to go out (<c>linger</c>, default 5 s).</summary>
    public TimeSpan Linger { get; }

    /// <summary>
    /// How long a PUSH sink waits for a receiver to take a message before the batch fails (<c>sendTimeout</c>); by
    /// default it waits as long as it takes, which is the backpressure that holds the job back.
    /// </summary>
    public TimeSpan? SendTimeout { get; }

    /// <summary>Reads <paramref name="uri"/>.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static ZeroMQSinkOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ZeroMQEndpoint endpoint = ZeroMQEndpoint.Parse(uri, [ZeroMQSocketKind.Push, ZeroMQSocketKind.Pub], ZeroMQSinkFactory.Usage);
        TimeSpan linger = uri.TakeDuration("linger", TimeSpan.FromSeconds(5));
        TimeSpan? sendTimeout = uri.TakeString("sendTimeout") is null ? null : uri.TakeDuration("sendTimeout", default);
        uri.ThrowIfUnknownOptions();
        return new ZeroMQSinkOptions(uri.Text, endpoint, linger, sendTimeout);
    }
}
