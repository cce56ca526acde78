using System.Text;
using Compiled.Connectors;
using StackExchange.Redis;

namespace Compiled.Redis;

/// <summary>Where a consumer group that the job creates starts reading a stream (<c>start</c>).</summary>
public enum RedisStreamStart
{
    /// <summary>Only entries added after the group was created (<c>XGROUP CREATE ... $</c>), as Redis does by default.</summary>
    Latest,

    /// <summary>Every entry the stream holds (<c>XGROUP CREATE ... 0</c>).</summary>
    Earliest,
}

/// <summary>
/// A <c>redis://</c> source URI taken apart: <c>redis://[user:password@]host:port/STREAM?group=G&amp;consumer=C</c> with
/// <c>start</c>, <c>count</c>, <c>block</c>, <c>field</c>, <c>db</c>, <c>retryFor</c> and the StackExchange.Redis options
/// of <see cref="RedisSinkOptions.PassedThrough"/>. The password is kept out of <see cref="SafeText"/>.
/// </summary>
public sealed class RedisStreamSourceOptions
{
    private RedisStreamSourceOptions(string safeText, ConfigurationOptions client, string stream, string group, string consumer, RedisStreamStart start, int count, TimeSpan block, string field, TimeSpan retryFor)
    {
        SafeText = safeText;
        Client = client;
        Stream = stream;
        Group = group;
        Consumer = consumer;
        Start = start;
        Count = count;
        Block = block;
        Field = field;
        RetryFor = retryFor;
    }

    /// <summary>The URI as written, with its password replaced by <c>***</c>.</summary>
    public string SafeText { get; }

    /// <summary>The client's configuration: the endpoint, the options passed through, and the connector's own settings.</summary>
    public ConfigurationOptions Client { get; }

    /// <summary>The stream read (the URI's path).</summary>
    public string Stream { get; }

    /// <summary>The consumer group (<c>group</c>, required); created by the job when missing.</summary>
    public string Group { get; }

    /// <summary>This job's consumer name in the group (<c>consumer</c>, default the machine's name); keep it the same across restarts.</summary>
    public string Consumer { get; }

    /// <summary>Where a group the job creates starts (<c>start</c>, default <see cref="RedisStreamStart.Latest"/>).</summary>
    public RedisStreamStart Start { get; }

    /// <summary>The most entries one <c>XREADGROUP</c> asks for (<c>count</c>, default 512).</summary>
    public int Count { get; }

    /// <summary>How long the source waits before asking again when the stream had nothing new (<c>block</c>, default 100 ms).</summary>
    public TimeSpan Block { get; }

    /// <summary>The entry field whose value is the record (<c>field</c>, default <c>value</c>).</summary>
    public string Field { get; }

    /// <summary>How long a read keeps retrying a server that is down before the run fails (<c>retryFor</c>, default 5 minutes).</summary>
    public TimeSpan RetryFor { get; }

    /// <summary>Reads <paramref name="uri"/>; an error about it never shows the password.</summary>
    /// <exception cref="ConnectorUriException">The URI or an option is not valid; the message says what to write.</exception>
    public static RedisStreamSourceOptions Parse(ConnectorUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        string safeText = UriSecrets.Redact(uri.Text);
        ConnectorUri safe = ConnectorUri.Parse(safeText, uri.Role);

        string target = uri.Target;
        int slash = target.IndexOf('/', StringComparison.Ordinal);
        string authority = slash < 0 ? target : target[..slash];
        string stream = slash < 0 ? "" : target[(slash + 1)..];
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
            throw safe.Error($"source URI '{safeText}' names no server; write {RedisStreamSourceFactory.Usage}");
        }

        if (!authority.Contains(':', StringComparison.Ordinal) || authority.EndsWith(']'))
        {
            authority += ":6379";
        }

        if (stream.Length == 0)
        {
            throw safe.Error($"source URI '{safeText}' names no stream to read; write redis://{authority}/STREAM?group=GROUP");
        }

        string group = safe.TakeString("group") ?? "";
        if (group.Length == 0)
        {
            throw safe.Error($"source URI '{safeText}' names no consumer group; a stream is read through one, so that entries are acknowledged after their batch commits: add ?group=NAME (created when missing)");
        }

        string consumer = safe.TakeString("consumer") ?? Environment.MachineName;
        RedisStreamStart start = safe.TakeEnum("start", RedisStreamStart.Latest);
        int count = safe.TakeInt32("count", 512, minimum: 1);
        TimeSpan block = safe.TakeDuration("block", TimeSpan.FromMilliseconds(100));
        string field = safe.TakeString("field") ?? "value";
        int database = safe.TakeInt32("db", 0, minimum: 0);
        TimeSpan retryFor = safe.TakeDuration("retryFor", TimeSpan.FromMinutes(5));

        var configuration = new StringBuilder(authority);
        foreach (string name in RedisSinkOptions.PassedThrough)
        {
            string? value = safe.TakeString(name);
            if (value is null)
            {
                continue;
            }

            if (name == "password")
            {
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

        // The record limits every source takes (read by Source itself from the URI).
        safe.TakeString("maxRecordBytes");
        safe.TakeString("onOversize");
        safe.ThrowIfUnknownOptions();
        foreach (string name in (string[])["group", "consumer", "start", "count", "block", "field", "db", "retryFor", .. RedisSinkOptions.PassedThrough])
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
            throw safe.Error($"source URI '{safeText}' has an option StackExchange.Redis does not take: {e.Message}");
        }

        client.User = user is { Length: > 0 } ? user : client.User;
        client.Password = password is { Length: > 0 } ? password : client.Password;
        client.DefaultDatabase = database;
        client.AbortOnConnectFail = false;
        client.BacklogPolicy = BacklogPolicy.FailFast;
        client.ClientName ??= "compiled";
        return new RedisStreamSourceOptions(safeText, client, stream, group, consumer, start, count, block, field, retryFor);
    }
}
