using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Benchmarks.WordCount;

/// <summary>
/// A sink that only counts what it is given: for measuring the word counts themselves, where a real sink's
/// I/O would hide them. Every variant writes its <c>(word,count)</c> records to one of these.
/// </summary>
public sealed class DiscardingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
{
    /// <summary>Records written since creation.</summary>
    public long Records { get; private set; }

    /// <summary>Bytes written since creation.</summary>
    public long Bytes { get; private set; }

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> record)
    {
        Records++;
        Bytes += record.Length;
    }

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
}

/// <summary>
/// A sink that parses the <c>(word,count)</c> records it is given back into a dictionary: the setup's check
/// that every variant computed the same counts. Not used in measured code.
/// </summary>
public sealed class CollectingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
{
    /// <summary>Each word written, with its count.</summary>
    public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs)
    {
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> record)
    {
        // "(word,count)": the word is everything between the parentheses before the last comma.
        int comma = record.LastIndexOf((byte)',');
        if (record.Length < 4 || record[0] != (byte)'(' || record[^1] != (byte)')' || comma < 1)
        {
            throw new InvalidOperationException($"Not a (word,count) record: '{Encoding.UTF8.GetString(record)}'.");
        }

        string word = Encoding.UTF8.GetString(record[1..comma]);
        long count = long.Parse(record[(comma + 1)..^1], provider: System.Globalization.CultureInfo.InvariantCulture);
        if (!Counts.TryAdd(word, count))
        {
            throw new InvalidOperationException($"The word '{word}' was written twice in one batch.");
        }
    }

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
}
