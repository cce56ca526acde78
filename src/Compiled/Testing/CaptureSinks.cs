using System.Text;
using Compiled.Connectors;
using Compiled.Sinks;

namespace Compiled.Testing;

/// <summary>
/// The sinks a test driver puts in place of a pipeline's real sinks: each takes records as they are (through
/// <see cref="IRecordWriter{T}"/>) and keeps them in a <see cref="TestOutput{T}"/>.
/// </summary>
/// <typeparam name="T">What a test compares.</typeparam>
public abstract class CaptureSink<T> : Sink
{
    /// <summary>Creates a capture for the sink named <paramref name="name"/>.</summary>
    protected CaptureSink(string name)
        : base(ConnectorUri.Parse("test:" + name, "sink"), new SinkContext())
    {
    }

    /// <summary>What the sink received.</summary>
    public TestOutput<T> Output { get; } = new();

    /// <inheritdoc />
    public override void BeginBatch(long batchTimeMs) => Output.Begin(batchTimeMs);

    /// <inheritdoc />
    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        Output.Commit();
        return default;
    }

    /// <inheritdoc />
    public override void AbortBatch() => Output.Abort();

    /// <summary>Text is not expected: the generated code hands a capture its records as they are.</summary>
    public override void Write(ReadOnlySpan<byte> record) =>
        throw new InvalidOperationException($"Sink '{Uri.Target}' of a test driver was given text instead of a record; the pipeline must be rebuilt with the current generator.");
}

/// <summary>
/// Captures byte records as UTF-8 strings; also records of a <c>ref struct</c> type, which cannot be kept, as
/// the text the pipeline renders for them.
/// </summary>
public sealed class TextCapture(string name) : CaptureSink<string>(name), IRecordWriter<ReadOnlySpan<byte>>
{
    /// <inheritdoc />
    void IRecordWriter<ReadOnlySpan<byte>>.Write(ReadOnlySpan<byte> record) => Output.Add(Encoding.UTF8.GetString(record));

    /// <summary>Keeps a record's text, decoded as UTF-8.</summary>
    public override void Write(ReadOnlySpan<byte> record) => Output.Add(Encoding.UTF8.GetString(record));
}

/// <summary>Captures <see cref="KeyValue{TValue}"/> records as <c>(string Key, TValue Value)</c>, the key decoded as UTF-8.</summary>
public sealed class KeyValueCapture<TValue>(string name) : CaptureSink<(string Key, TValue Value)>(name), IRecordWriter<KeyValue<TValue>>
{
    /// <inheritdoc />
    void IRecordWriter<KeyValue<TValue>>.Write(KeyValue<TValue> record) => Output.Add((Encoding.UTF8.GetString(record.Key), record.Value));
}

/// <summary>Captures records of any other type as they are.</summary>
public sealed class RecordCapture<T>(string name) : CaptureSink<T>(name), IRecordWriter<T>
{
    /// <inheritdoc />
    void IRecordWriter<T>.Write(T record) => Output.Add(record);
}

/// <summary>A key and its values as a test compares them: equal when the keys and the sequences of values are.</summary>
/// <typeparam name="TKey">The key: a string for byte keys, the key itself otherwise.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed record Group<TKey, TValue>(TKey Key, IReadOnlyList<TValue> Values)
{
    /// <inheritdoc />
    public bool Equals(Group<TKey, TValue>? other) =>
        other is not null && EqualityComparer<TKey>.Default.Equals(Key, other.Key) && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Values.Count);

    /// <summary>The group as <c>(key,[v1,v2])</c>.</summary>
    public override string ToString() => $"({Key},[{string.Join(",", Values)}])";
}

/// <summary>Captures <see cref="Grouped{TValue}"/> records as <see cref="Group{TKey, TValue}"/> with the key decoded as UTF-8.</summary>
public sealed class GroupCapture<TValue>(string name) : CaptureSink<Group<string, TValue>>(name), IRecordWriter<Grouped<TValue>>
{
    /// <inheritdoc />
    void IRecordWriter<Grouped<TValue>>.Write(Grouped<TValue> record) =>
        Output.Add(new Group<string, TValue>(Encoding.UTF8.GetString(record.Key), record.Values.ToArray()));
}

/// <summary>Captures <see cref="Grouped{TKey, TValue}"/> records as <see cref="Group{TKey, TValue}"/>.</summary>
public sealed class StructGroupCapture<TKey, TValue>(string name) : CaptureSink<Group<TKey, TValue>>(name), IRecordWriter<Grouped<TKey, TValue>>
{
    /// <inheritdoc />
    void IRecordWriter<Grouped<TKey, TValue>>.Write(Grouped<TKey, TValue> record) =>
        Output.Add(new Group<TKey, TValue>(record.Key, record.Values.ToArray()));
}

/// <summary>Captures <see cref="Windowed{TValue}"/> records as <c>(EventWindow Window, string Key, TValue Value)</c>, the key decoded as UTF-8.</summary>
public sealed class WindowedCapture<TValue>(string name) : CaptureSink<(EventWindow Window, string Key, TValue Value)>(name), IRecordWriter<Windowed<TValue>>
{
    /// <inheritdoc />
    void IRecordWriter<Windowed<TValue>>.Write(Windowed<TValue> record) => Output.Add((record.Window, Encoding.UTF8.GetString(record.Key), record.Value));
}
