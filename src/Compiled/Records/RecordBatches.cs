using Compiled.Windows;

namespace Compiled;

/// <summary>
/// The byte records of one batch, as a <c>[ForEachBatch]</c> is handed them: a read-only view over copies the stage
/// kept of each record's bytes (the records themselves are views of the input, which does not outlive the record).
/// Valid only during the call; it allocates nothing.
/// </summary>
public readonly ref struct ByteBatch
{
    private readonly ByteRecords _records;

    /// <summary>A view of <paramref name="records"/>; the generated job makes one.</summary>
    public ByteBatch(ByteRecords records) => _records = records ?? throw new ArgumentNullException(nameof(records));

    /// <summary>How many records the batch holds.</summary>
    public int Count => _records.Count;

    /// <summary>Record <paramref name="index"/>, in the order the records arrived.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or at least <see cref="Count"/>.</exception>
    public ReadOnlySpan<byte> this[int index] => _records[index];

    /// <summary>The records in the order they arrived: <c>foreach (ReadOnlySpan&lt;byte&gt; line in batch)</c>.</summary>
    public Enumerator GetEnumerator() => new(_records);

    /// <summary>Walks a <see cref="ByteBatch"/>.</summary>
    public ref struct Enumerator
    {
        private readonly ByteRecords _records;
        private int _index;

        internal Enumerator(ByteRecords records)
        {
            _records = records;
            _index = -1;
        }

        /// <summary>The record at the enumerator's place.</summary>
        public readonly ReadOnlySpan<byte> Current => _records[_index];

        /// <summary>Moves to the next record; false after the last.</summary>
        public bool MoveNext() => ++_index < _records.Count;
    }
}

/// <summary>
/// The byte-keyed records (<see cref="KeyValue{TValue}"/>) of one batch, as a <c>[ForEachBatch]</c> is handed them:
/// a read-only view over copies of each key's bytes and the values. Valid only during the call; it allocates nothing.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly ref struct KeyValueBatch<TValue>
{
    private readonly KeyValueRecords<TValue> _records;

    /// <summary>A view of <paramref name="records"/>; the generated job makes one.</summary>
    public KeyValueBatch(KeyValueRecords<TValue> records) => _records = records ?? throw new ArgumentNullException(nameof(records));

    /// <summary>How many records the batch holds.</summary>
    public int Count => _records.Count;

    /// <summary>Record <paramref name="index"/>, in the order the records arrived (after a keyed stage, its keys' order).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or at least <see cref="Count"/>.</exception>
    public KeyValue<TValue> this[int index] => _records[index];

    /// <summary>The records in order: <c>foreach (KeyValue&lt;long&gt; pair in batch)</c>.</summary>
    public Enumerator GetEnumerator() => new(_records);

    /// <summary>Walks a <see cref="KeyValueBatch{TValue}"/>.</summary>
    public ref struct Enumerator
    {
        private readonly KeyValueRecords<TValue> _records;
        private int _index;

        internal Enumerator(KeyValueRecords<TValue> records)
        {
            _records = records;
            _index = -1;
        }

        /// <summary>The record at the enumerator's place.</summary>
        public readonly KeyValue<TValue> Current => _records[_index];

        /// <summary>Moves to the next record; false after the last.</summary>
        public bool MoveNext() => ++_index < _records.Count;
    }
}
