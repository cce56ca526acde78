using System.Text;
using Compiled.Connectors;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>
/// The part every <c>redis://</c> URI shares, sink or source: <c>[user:password@]host[:port]/PATH</c> (port 6379 by
/// default), <c>db</c>, <c>retryFor</c>, and the StackExchange.Redis options of <see cref="PassedThrough"/>, in that
/// library's own units, made into the client's configuration. The password is read from the URI as written and shown
/// nowhere: messages use <see cref="ConnectorUri.Text"/>, which hides it.
/// </summary>
internal sealed class RedisServerUri
{
    /// <summary>
    /// StackExchange.Redis configuration options a URI may set, passed to it as they are written
    /// (<c>connectTimeout=2000</c> is milliseconds, as in its configuration string).
    /// </summary>
    public static readonly IReadOnlyList<string> PassedThrough =
    [
        "connectTimeout", "syncTimeout", "asyncTimeout", "connectRetry", "keepAlive", "name", "user", "password",
        "ssl", "sslHost", "sslProtocols", "allowAdmin", "configCheckSeconds", "resolveDns", "tiebreaker", "setlib",
        "protocol",
    ];

    private RedisServerUri(string authority, string path, ConfigurationOptions client, TimeSpan retryFor)
    {
        Authority = authority;
        Path = path;
        Client = client;
        RetryFor = retryFor;
    }

    /// <summary>The server, <c>host:port</c>.</summary>
    public string Authority { get; }

    /// <summary>What follows the server: the key or stream; empty when there is none.</summary>
    public string Path { get; }

    /// <summary>The client's configuration: the endpoint, the options passed through, the database, and the connector's own settings.</summary>
    public ConfigurationOptions Client { get; }

    /// <summary>How long an operation keeps retrying a server that is down (<c>retryFor</c>, default 5 minutes).</summary>
    public TimeSpan RetryFor { get; }

    /// <summary>
    /// Reads the server part of <paramref name="uri"/> and takes its shared options; the caller takes its own and then
    /// calls <see cref="ConnectorUri.ThrowIfUnknownOptions"/>.
    /// </summary>
    /// <param name="uri">The URI.</param>
    /// <param name="usage">An example URI, for the message when no server is named.</param>
    /// <exception cref="ConnectorUriException">No server is named, or an option is not valid; the message says what to write.</exception>
    public static RedisServerUri Parse(ConnectorUri uri, string usage)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string target = uri.Target;
        int slash = target.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? target : target[..slash];
        string path = slash < 0 ? "" : target[(slash + 1)..];
        string? user = null;
        string? password = null;
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            authority = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = colon < 0 ? userInfo : userInfo[..colon];
            password = colon < 0 ? null : userInfo[(colon + 1)..];
        }

        if (authority.Length == 0)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' names no server; write {usage}");
        }

        if (!authority.Contains(':', StringComparison.Ordinal) || authority.EndsWith(']'))
        {
            authority += ":6379";
        }

        int database = uri.TakeInt32("db", 0, minimum: 0);
        TimeSpan retryFor = uri.TakeDuration("retryFor", TimeSpan.FromMinutes(5));

        // The client's own options, in its configuration string's form, so that it checks their values itself.
        var configuration = new StringBuilder(authority);
        foreach (string name in PassedThrough)
        {
            string? value = uri.TakeString(name);
            if (value is null)
            {
                continue;
            }

            if (name == "password")
            {
                password = value;
            }
            else if (name == "user")
            {
                user = value;
            }
            else
            {
                configuration.Append(',').Append(name).Append('=').Append(value);
            }
        }

        ConfigurationOptions client;
        try
        {
            client = ConfigurationOptions.Parse(configuration.ToString());
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw uri.Error($"{uri.Role} URI '{uri.Text}' has an option StackExchange.Redis does not take: {e.Message}");
        }

        client.User = user is { Length: > 0 } ? user : client.User;
        client.Password = password is { Length: > 0 } ? password : client.Password;
        client.DefaultDatabase = database;

        // Keep trying in the background when the server is not there, and fail a command at once while disconnected:
        // the connector retries with its own backoff (RedisRetry) and says so in the log.
        client.AbortOnConnectFail = false;
        client.BacklogPolicy = BacklogPolicy.FailFast;
        client.ClientName ??= "compiled";
        return new RedisServerUri(authority, path, client, retryFor);
    }
}
