using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Tests.Connectors.Registration;

// A connector written the way a user writes one: declared here, registered by this project's generated module initializer.
[assembly: SourceConnector("memory", typeof(MemorySourceFactory), Usage = "memory:NAME")]
[assembly: SinkConnector("memory", typeof(MemorySinkFactory), Usage = "memory:NAME?batches=true")]

namespace Compiled.Tests.Connectors.Registration;

/// <summary>Named places in memory: a <c>memory:NAME</c> source reads the text put under NAME, a sink appends its committed records.</summary>
internal static class MemoryStore
{
    private static readonly ConcurrentDictionary<string, byte[]> Inputs = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Outputs = new(StringComparer.Ordinal);

    /// <summary>Puts <paramref name="text"/> where <c>memory:<paramref name="name"/></c> reads it.</summary>
    public static void Put(string name, string text) => Inputs[name] = Encoding.UTF8.GetBytes(text);

    /// <summary>The input under <paramref name="name"/>.</summary>
    public static byte[] Input(ConnectorUri uri) =>
        Inputs.TryGetValue(uri.Target, out byte[]? bytes)
            ? bytes
            : throw uri.Error($"source URI '{uri.Text}' names '{uri.Target}', which holds nothing; put text there first");

    /// <summary>The records committed to <c>memory:<paramref name="name"/></c>, in order.</summary>
    public static IReadOnlyList<string> Committed(string name) =>
        Outputs.TryGetValue(name, out ConcurrentQueue<string>? records) ? records.ToArray() : [];

    /// <summary>Appends committed records.</summary>
    public static void Commit(string name, IEnumerable<string> records)
    {
        ConcurrentQueue<string> queue = Outputs.GetOrAdd(name, _ => new ConcurrentQueue<string>());
        foreach (string record in records)
        {
            queue.Enqueue(record);
        }
    }
}

/// <summary>Creates <c>memory:NAME</c> sources.</summary>
public sealed class MemorySourceFactory : ISourceFactory
{
    /// <inheritdoc />
    public static Source Create(ConnectorUri uri, SourceContext context) => new MemorySource(uri, context);
}

/// <summary>Creates <c>memory:NAME</c> sinks.</summary>
public sealed class MemorySinkFactory : ISinkFactory
{
    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new MemorySink(uri, context);
}

/// <summary>Reads the text put under its name as one stream, then ends.</summary>
internal sealed class MemorySource(ConnectorUri uri, SourceContext context) : Source(uri, context)
{
    private readonly byte[] _input = MemoryStore.Input(uri);
    private bool _given;

    public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken)
    {
        if (_given)
        {
            return new ValueTask<SourceStream?>((SourceStream?)null);
        }

        _given = true;
        return new ValueTask<SourceStream?>(new SourceStream(Uri.Target, PipeReader.Create(new ReadOnlySequence<byte>(_input))));
    }
}

/// <summary>
/// Keeps a batch's records and appends them to its name when the batch commits; with <c>?batches=true</c>, each batch
/// also appends a line "batch" before its records.
/// </summary>
internal sealed class MemorySink(ConnectorUri uri, SinkContext context) : Sink(uri, context)
{
    private readonly bool _batches = uri.TakeBoolean("batches", false);
    private readonly List<string> _pending = [];

    public override void BeginBatch(long batchTimeMs)
    {
        _pending.Clear();
        if (_batches)
        {
            _pending.Add("batch");
        }
    }

    public override void Write(ReadOnlySpan<byte> record) => _pending.Add(Encoding.UTF8.GetString(record));

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        MemoryStore.Commit(Uri.Target, _pending);
        _pending.Clear();
        return default;
    }
}
