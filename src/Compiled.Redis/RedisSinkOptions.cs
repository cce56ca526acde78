using System.Text;
using Compiled.Connectors;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>What a keyed record becomes in Redis (<c>type</c>).</summary>
public enum RedisDataType
{
    /// <summary>A field of one hash: <c>HSET KEY key value</c>.</summary>
    Hash,

    /// <summary>A string key per record: <c>SET prefix+key value</c>.</summary>
    String,

    /// <summary>A member of one sorted set, scored by the value: <c>ZADD KEY value key</c>.</summary>
    Zset,

    /// <summary>An entry of one stream: <c>XADD KEY &lt;batch time&gt;-&lt;index&gt; key K value V</c>.</summary>
    Stream,
}

/// <summary>
/// A <c>redis://</c> sink URI taken apart: <c>redis://[user:password@]host:port/KEY?type=hash|string|zset|stream</c>
/// with <c>db</c>, <c>prefix</c> (string keys), <c>retryFor</c>, and the StackExchange.Redis options of
/// <see cref="PassedThrough"/> in that library's own units. The password (in the user part or <c>password=</c>) is kept
/// out of <see cref="SafeText"/>, which is what the run logs and every message shows.
/// </summary>
public sealed class RedisSinkOptions
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

    private RedisSinkOptions(string safeText, ConfigurationOptions client, RedisDataType type, string key, string prefix, int database, TimeSpan retryFor)
    {
        SafeText = safeText;
        Client = client;
        Type = type;
        Key = key;
        Prefix = prefix;
        Database = database;
        RetryFor = retryFor;
    }

    /// <summary>The URI as written, with its password replaced by <c>***</c>.</summary>
    public string SafeText { get; }

    /// <summary>The client's configuration: the endpoint, the options passed through, and the connector's own settings.</summary>
    public ConfigurationOptions Client { get; }

    /// <summary>What each record becomes (<c>type</c>, default <see cref="RedisDataType.Hash"/>).</summary>
    public RedisDataType Type { get; }

    /// <summary>The hash, sorted set or stream written to (the URI's path); empty for <see cref="RedisDataType.String"/>.</summary>
    public string Key { get; }

    /// <summary>What each string key starts with (<c>prefix</c>), for <see cref="RedisDataType.String"/>.</summary>
    public string Prefix { get; }

    /// <summary>The database number (<c>db</c>, default 0).</summary>
    public int Database { get; }

    /// <summary>How long a commit keeps retrying a server that is down before the batch fails (<c>retryFor</c>, default 5 minutes).</summary>
    public TimeSpan RetryFor { get; }

    /// <summary>
    /// Reads <paramref name="uri"/>. Every option is read from a copy of the URI without its password, so that an error
    /// about it never shows the password; the options are then marked read on <paramref name="uri"/> too.
    /// </summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static RedisSinkOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string safeText = Redact(uri.Text);
        ConnectorUri safe = ConnectorUri.Parse(safeText, uri.Role);

        // user:password@host:port/KEY; the user part is taken from the original (it holds the real password).
        string target = uri.Target;
        int slash = target.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? target : target[..slash];
        string key = slash < 0 ? "" : target[(slash + 1)..];
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
            throw safe.Error($"sink URI '{safeText}' names no server; write {RedisSinkFactory.Usage}");
        }

        if (!authority.Contains(':', StringComparison.Ordinal) || authority.EndsWith(']'))
        {
            authority += ":6379";
        }

        RedisDataType type = safe.TakeEnum("type", RedisDataType.Hash);
        string prefix = safe.TakeString("prefix") ?? "";
        int database = safe.TakeInt32("db", 0, minimum: 0);
        TimeSpan retryFor = safe.TakeDuration("retryFor", TimeSpan.FromMinutes(5));
        if (type == RedisDataType.String)
        {
            if (key.Length > 0)
            {
                throw safe.Error($"sink URI '{safeText}' writes one string key per record, so it takes no KEY path ('{key}'); write redis://{authority}?type=string&prefix={key}: to start each key with '{key}:'");
            }
        }
        else
        {
            if (key.Length == 0)
            {
                throw safe.Error($"sink URI '{safeText}' names no {type.ToString().ToLowerInvariant()} to write to; write redis://{authority}/KEY?type={type.ToString().ToLowerInvariant()}");
            }

            if (prefix.Length > 0)
            {
                throw safe.Error($"option 'prefix' of sink URI '{safeText}' is for type=string only; a {type.ToString().ToLowerInvariant()} is one key, '{key}'");
            }
        }

        // The client's own options, in its configuration string's form, so that it checks their values itself.
        var configuration = new StringBuilder(authority);
        foreach (string name in PassedThrough)
        {
            string? value = safe.TakeString(name);
            if (value is null)
            {
                continue;
            }

            if (name == "password")
            {
                // The redacted copy holds ***; the real password is in the original.
                password = uri.TakeString(name);
                continue;
            }

            if (name == "user")
            {
                user = value;
                continue;
            }

            configuration.Append(',').Append(name).Append('=').Append(value);
        }

        safe.ThrowIfUnknownOptions();
        foreach (string name in (string[])["type", "prefix", "db", "retryFor", .. PassedThrough])
        {
            uri.TakeString(name);
        }

        ConfigurationOptions client;
        try
        {
            client = ConfigurationOptions.Parse(configuration.ToString());
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw safe.Error($"sink URI '{safeText}' has an option StackExchange.Redis does not take: {e.Message}");
        }

        client.User = user is { Length: > 0 } ? user : client.User;
        client.Password = password is { Length: > 0 } ? password : client.Password;
        client.DefaultDatabase = database;

        // Keep trying in the background when the server is not there, and fail a command at once while disconnected:
        // the sink's commit retries the whole batch with its own backoff and says so in the log.
        client.AbortOnConnectFail = false;
        client.BacklogPolicy = BacklogPolicy.FailFast;
        client.ClientName ??= "compiled";
        return new RedisSinkOptions(safeText, client, type, key, prefix, database, retryFor);
    }

    /// <summary>The URI with the password of its user part and of a <c>password=</c> option replaced by <c>***</c> (<see cref="UriSecrets.Redact"/>).</summary>
    public static string Redact(string text) => UriSecrets.Redact(text);
}
