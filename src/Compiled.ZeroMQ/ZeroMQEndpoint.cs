using System.Globalization;
using Compiled.Connectors;

namespace Compiled.ZeroMQ;

/// <summary>The kind of ZeroMQ socket a connector opens (<c>socket=</c>).</summary>
public enum ZeroMQSocketKind
{
    /// <summary>A source that takes what PUSH sockets send, each message from one sender to one receiver (fan-in).</summary>
    Pull,

    /// <summary>A source that subscribes to a PUB socket, receiving the messages whose first frame starts with a <c>topic</c>.</summary>
    Sub,

    /// <summary>A sink that hands each message to one connected PULL socket, waiting while none can take it.</summary>
    Push,

    /// <summary>A sink that publishes each message to every connected SUB socket subscribed to it, dropping it for one that is slow.</summary>
    Pub,
}

/// <summary>
/// The part of a <c>zmq+tcp://host:port</c> or <c>zmq+ipc://path</c> URI that source and sink share: the address, the
/// socket kind, whether the socket binds or connects, and its high-water mark.
/// </summary>
/// <remarks>
/// <para>
/// <b>Bind or connect.</b> By default the end that others join binds and the other connects, as ZeroMQ's own patterns
/// do: a <c>pull</c> source binds (a collector many PUSH senders connect to) and a <c>pub</c> sink binds (a publisher
/// subscribers connect to); a <c>sub</c> source connects to a publisher and a <c>push</c> sink connects to a collector.
/// <c>bind=true|false</c> says otherwise. A host of <c>*</c> (every interface) can only bind.
/// </para>
/// <para>
/// <b>ipc.</b> NetMQ, written in C#, carries <c>ipc://</c> over loopback TCP, on a port it derives from the path
/// (10000 to 65535); it reaches other NetMQ programs on the same machine, not libzmq's Unix-domain sockets.
/// </para>
/// </remarks>
public sealed class ZeroMQEndpoint
{
    /// <summary>ZeroMQ's own default high-water mark: 1000 messages queued per peer.</summary>
    public const int DefaultHighWaterMark = 1000;

    private ZeroMQEndpoint(string address, ZeroMQSocketKind socket, bool bind, int highWaterMark)
    {
        Address = address;
        Socket = socket;
        Bind = bind;
        HighWaterMark = highWaterMark;
    }

    /// <summary>The NetMQ address: <c>tcp://host:port</c> or <c>ipc://path</c>.</summary>
    public string Address { get; }

    /// <summary>The socket kind (<c>socket=</c>).</summary>
    public ZeroMQSocketKind Socket { get; }

    /// <summary>Whether the socket binds the address (others connect to it) rather than connects to it (<c>bind=</c>).</summary>
    public bool Bind { get; }

    /// <summary>
    /// The most messages the socket queues per peer (<c>hwm=</c>, default 1000): a PULL or SUB socket stops reading
    /// from the network beyond it, a PUSH socket waits, a PUB socket drops.
    /// </summary>
    public int HighWaterMark { get; }

    /// <summary>Reads the shared part of <paramref name="uri"/> for a connector whose socket kinds are <paramref name="allowed"/>.</summary>
    /// <param name="uri">The URI; its scheme is <c>zmq+tcp</c> or <c>zmq+ipc</c>.</param>
    /// <param name="allowed">The socket kinds of this side, the first the default.</param>
    /// <param name="usage">The URI form a message shows.</param>
    /// <exception cref="ConnectorUriException">The address or an option is not valid; the message says what to write.</exception>
    public static ZeroMQEndpoint Parse(ConnectorUri uri, ZeroMQSocketKind[] allowed, string usage)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(allowed);
        string role = uri.Role;
        string? kindText = uri.TakeString("socket");
        ZeroMQSocketKind socket = allowed[0];
        if (kindText is not null
            && (!Enum.TryParse(kindText, ignoreCase: true, out socket) || !allowed.Contains(socket) || char.IsDigit(kindText[0])))
        {
            string names = string.Join(" or ", allowed.Select(k => k.ToString().ToLowerInvariant()));
            throw uri.Error($"option 'socket={kindText}' of {role} URI '{uri.Text}' is not valid; a ZeroMQ {role} is socket={names}");
        }

        string address;
        bool wildcard = false;
        if (uri.Scheme == "zmq+ipc")
        {
            if (uri.Target.Length == 0)
            {
                throw uri.Error($"{role} URI '{uri.Text}' names no path; write zmq+ipc:///tmp/NAME.ipc or zmq+ipc://NAME");
            }

            address = "ipc://" + uri.Target;
        }
        else
        {
            (string host, int port) = HostAndPort(uri, usage);
            wildcard = host == "*";
            address = string.Create(CultureInfo.InvariantCulture, $"tcp://{(host.Contains(':') ? "[" + host + "]" : host)}:{port}");
        }

        bool bindsByDefault = socket is ZeroMQSocketKind.Pull or ZeroMQSocketKind.Pub;
        bool bind = uri.TakeBoolean("bind", bindsByDefault || wildcard);
        if (wildcard && !bind)
        {
            throw uri.Error($"{role} URI '{uri.Text}' connects (bind=false) to host '*', which only a socket that binds can use; name the host to connect to, or bind=true");
        }

        int highWaterMark = uri.TakeInt32("hwm", DefaultHighWaterMark, minimum: 0);
        return new ZeroMQEndpoint(address, socket, bind, highWaterMark);
    }

    /// <summary>How the endpoint reads in logs: <c>pull bound to tcp://*:5557</c>.</summary>
    public override string ToString() =>
        $"{Socket.ToString().ToLowerInvariant()} {(Bind ? "bound to" : "connected to")} {Address}";

    private static (string Host, int Port) HostAndPort(ConnectorUri uri, string usage)
    {
        string target = uri.Target;
        int slash = target.IndexOf('/');
        if (slash >= 0)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' has a path ('{target[slash..]}'), which a ZeroMQ TCP address does not; write {usage}");
        }

        int colon = target.LastIndexOf(':');
        string host = colon < 0 ? target : target[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0 || colon < 0)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' names no host and port; write {usage}");
        }

        string portText = target[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' has port '{portText}', which is not a port; write a number from 1 to 65535, e.g. {usage}");
        }

        return (host, port);
    }
}
