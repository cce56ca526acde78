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
/// of <see cref="RedisServerUri.PassedThrough"/>. The password is kept out of <see cref="SafeText"/>.
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
        var server = RedisServerUri.Parse(uri, RedisStreamSourceFactory.Usage);
        string shown = uri.Text;
        string stream = server.Path;
        if (stream.Length == 0)
        {
            throw uri.Error($"source URI '{shown}' names no stream to read; write redis://{server.Authority}/STREAM?group=GROUP");
        }

        string group = uri.TakeString("group") ?? "";
        if (group.Length == 0)
        {
            throw uri.Error($"source URI '{shown}' names no consumer group; a stream is read through one, so that entries are acknowledged after their batch commits: add ?group=NAME (created when missing)");
        }

        string consumer = uri.TakeString("consumer") ?? Environment.MachineName;
        RedisStreamStart start = uri.TakeEnum("start", RedisStreamStart.Latest);
        int count = uri.TakeInt32("count", 512, minimum: 1);
        TimeSpan block = uri.TakeDuration("block", TimeSpan.FromMilliseconds(100));
        string field = uri.TakeString("field") ?? "value";

        // The record limits every source takes are read by Source itself from the URI.
        uri.TakeString("maxRecordBytes");
        uri.TakeString("onOversize");
        uri.ThrowIfUnknownOptions();
        return new RedisStreamSourceOptions(shown, server.Client, stream, group, consumer, start, count, block, field, server.RetryFor);
    }
}
