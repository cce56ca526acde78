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
    /// <summary>The StackExchange.Redis options a URI may set (<see cref="RedisServerUri.PassedThrough"/>).</summary>
    public static IReadOnlyList<string> PassedThrough => RedisServerUri.PassedThrough;

    private RedisSinkOptions(ConnectorUri uri, ConfigurationOptions client, RedisDataType type, string key, string prefix, int database, TimeSpan retryFor)
    {
        Uri = uri;
        Client = client;
        Type = type;
        Key = key;
        Prefix = prefix;
        Database = database;
        RetryFor = retryFor;
    }

    /// <summary>The URI as written, with its password replaced by <c>***</c>.</summary>
    public string SafeText => Uri.Text;

    /// <summary>The URI the options were read from.</summary>
    public ConnectorUri Uri { get; }

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

    /// <summary>Reads <paramref name="uri"/>; its server part as every redis URI has it (<see cref="RedisServerUri"/>), then the sink's own options.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static RedisSinkOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var server = RedisServerUri.Parse(uri, RedisSinkFactory.Usage);
        string key = server.Path;
        string authority = server.Authority;
        string shown = uri.Text;
        RedisDataType type = uri.TakeEnum("type", RedisDataType.Hash);
        string prefix = uri.TakeString("prefix") ?? "";
        if (type == RedisDataType.String)
        {
            if (key.Length > 0)
            {
                throw uri.Error($"sink URI '{shown}' writes one string key per record, so it takes no KEY path ('{key}'); write redis://{authority}?type=string&prefix={key}: to start each key with '{key}:'");
            }
        }
        else
        {
            if (key.Length == 0)
            {
                throw uri.Error($"sink URI '{shown}' names no {type.ToString().ToLowerInvariant()} to write to; write redis://{authority}/KEY?type={type.ToString().ToLowerInvariant()}");
            }

            if (prefix.Length > 0)
            {
                throw uri.Error($"option 'prefix' of sink URI '{shown}' is for type=string only; a {type.ToString().ToLowerInvariant()} is one key, '{key}'");
            }
        }

        uri.ThrowIfUnknownOptions();
        return new RedisSinkOptions(uri, server.Client, type, key, prefix, server.Client.DefaultDatabase ?? 0, server.RetryFor);
    }

    /// <summary>The URI with the password of its user part and of a <c>password=</c> option replaced by <c>***</c> (<see cref="UriSecrets.Redact"/>).</summary>
    public static string Redact(string text) => UriSecrets.Redact(text);
}
