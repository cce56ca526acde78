using Compiled.Connectors;
using NetMQ;

namespace Compiled.ZeroMQ;

/// <summary>Binding or connecting a socket, with errors that say what to do.</summary>
internal static class ZeroMQSockets
{
    /// <summary>Binds or connects <paramref name="socket"/> as <paramref name="endpoint"/> says; returns the address it is at.</summary>
    /// <exception cref="InvalidOperationException">The address is taken or cannot be used; the message says what to do.</exception>
    public static string Attach(NetMQSocket socket, ZeroMQEndpoint endpoint, ConnectorUri uri)
    {
        try
        {
            if (endpoint.Bind)
            {
                socket.Bind(endpoint.Address);
                return socket.Options.LastEndpoint ?? endpoint.Address;
            }

            // Connecting never waits for the peer: ZeroMQ connects, and reconnects, in the background.
            socket.Connect(endpoint.Address);
            return endpoint.Address;
        }
        catch (AddressAlreadyInUseException error)
        {
            throw new InvalidOperationException(
                $"ZeroMQ {uri.Role} '{uri.Text}' cannot bind {endpoint.Address}: the address is in use ({error.Message}); stop what holds it, choose another port, or connect to it with bind=false",
                error);
        }
        catch (NetMQException error)
        {
            throw new InvalidOperationException(
                $"ZeroMQ {uri.Role} '{uri.Text}' cannot {(endpoint.Bind ? "bind" : "connect to")} {endpoint.Address}: {error.Message}; check the host (an address of this machine to bind, a reachable one to connect)",
                error);
        }
    }
}
