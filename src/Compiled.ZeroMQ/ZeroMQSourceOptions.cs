using System.Text;
using Compiled.Connectors;

namespace Compiled.ZeroMQ;

/// <summary>
/// A ZeroMQ source URI taken apart: <c>zmq+tcp://host:port?socket=pull|sub</c> or <c>zmq+ipc://path?socket=...</c>, with
/// <c>bind</c>, <c>hwm</c> and, for <c>sub</c>, <c>topic</c>.
/// </summary>
public sealed class ZeroMQSourceOptions
{
    private ZeroMQSourceOptions(string text, ZeroMQEndpoint endpoint, IReadOnlyList<byte[]> topics)
    {
        Text = text;
        Endpoint = endpoint;
        Topics = topics;
    }

    /// <summary>The URI as written (secrets hidden, though a ZeroMQ URI has none).</summary>
    public string Text { get; }

    /// <summary>The socket: its address, kind (<c>pull</c> or <c>sub</c>), bind or connect, high-water mark.</summary>
    public ZeroMQEndpoint Endpoint { get; }

    /// <summary>
    /// The prefixes a <c>sub</c> source subscribes to (<c>topic=a,b</c>, UTF-8), matched against a message's first frame;
    /// one empty prefix (every message) when the URI names none. Empty for <c>pull</c>.
    /// </summary>
    public IReadOnlyList<byte[]> Topics { get; }

    /// <summary>Reads <paramref name="uri"/>.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static ZeroMQSourceOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ZeroMQEndpoint endpoint = ZeroMQEndpoint.Parse(uri, [ZeroMQSocketKind.Pull, ZeroMQSocketKind.Sub], ZeroMQSourceFactory.Usage);
        string? topicText = uri.TakeString("topic");
        byte[][] topics = [];
        if (endpoint.Socket == ZeroMQSocketKind.Sub)
        {
            topics = topicText is null
                ? [[]]
                : [.. topicText.Split(',').Select(Encoding.UTF8.GetBytes).DistinctBy(Convert.ToHexString)];
        }
        else if (topicText is not null)
        {
            throw uri.Error($"source URI '{uri.Text}' sets topic, which only a subscriber filters by; add socket=sub, or remove topic");
        }

        // The record limits every source takes are read by Source itself from the URI.
        uri.TakeString("maxRecordBytes");
        uri.TakeString("onOversize");
        uri.ThrowIfUnknownOptions();
        return new ZeroMQSourceOptions(uri.Text, endpoint, topics);
    }
}
