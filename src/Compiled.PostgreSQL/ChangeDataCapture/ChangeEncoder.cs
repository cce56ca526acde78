using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Compiled.PostgreSQL.ChangeDataCapture;

/// <summary>
/// One change read from the replication stream, ready for the job: its JSON payload with the key object inside it, the
/// transaction's commit time and the source's position after it; or, with no payload, the end of a transaction.
/// </summary>
internal sealed class CapturedChange
{
    /// <summary>The change as one JSON object in UTF-8; <see langword="null"/> for a transaction's end.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>Where the key object (<c>{"id":"7"}</c>) lies in <see cref="Payload"/>; its length is -1 when the change has no key.</summary>
    public int KeyStart { get; init; }

    /// <summary>The key object's length in bytes, or -1 when the table has no replica identity (or the change is a truncate).</summary>
    public int KeyLength { get; init; } = -1;

    /// <summary>The transaction's commit time, in Unix milliseconds.</summary>
    public long Timestamp { get; init; }

    /// <summary>Where the source stands once this change (or transaction end) is read.</summary>
    public ChangePosition Position { get; init; }
}

/// <summary>
/// Writes pgoutput changes as JSON objects, one per change:
/// <c>{"op":"insert","table":"public.orders","lsn":"0/16B3748","commitLsn":"0/16B3800","commitTime":"2026-03-01T12:00:00.123456Z","key":{"id":"7"},"new":{"id":"7","qty":"3"},"old":null}</c>.
/// </summary>
/// <remarks>
/// Values are PostgreSQL's text output of each column (the source asks for text, not binary), as JSON strings; SQL NULL is
/// JSON <c>null</c>. <c>key</c> holds the replica identity's columns (the primary key by default; every column with
/// <c>REPLICA IDENTITY FULL</c>), from the new row for an insert or update, from the old row for a delete; it is
/// <c>null</c> when the table has none. <c>old</c> is what the server sends of the row before: the whole row with
/// <c>REPLICA IDENTITY FULL</c>, the old key's columns when an update changed the key or for a delete, else
/// <c>null</c>. A TOASTed value that an update did not change is not sent by the server and is left out of <c>new</c>.
/// A truncate is one change per table, with <c>key</c>, <c>new</c> and <c>old</c> <c>null</c>.
/// </remarks>
internal sealed class ChangeEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly List<(string? Text, bool Unchanged)> _old = [];
    private readonly List<(string? Text, bool Unchanged)> _new = [];
    private readonly Dictionary<uint, (string Schema, string Table, string Name)> _tables = [];

    public ChangeEncoder() => _json = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>Reads the rows of a change from the stream and writes it as JSON.</summary>
    /// <param name="op"><c>insert</c>, <c>update</c> or <c>delete</c>.</param>
    /// <param name="relation">The table.</param>
    /// <param name="oldRow">The row before, as the server sends it, or <see langword="null"/>.</param>
    /// <param name="oldIsKeyOnly">Whether <paramref name="oldRow"/> holds only the replica identity's columns.</param>
    /// <param name="newRow">The row after, or <see langword="null"/> for a delete.</param>
    /// <param name="lsn">The change's own LSN.</param>
    /// <param name="transaction">The transaction's commit LSN and time.</param>
    /// <param name="position">The source's position after the change.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public async ValueTask<CapturedChange> EncodeRowChangeAsync(
        string op, RelationMessage relation, ReplicationTuple? oldRow, bool oldIsKeyOnly, ReplicationTuple? newRow,
        NpgsqlLogSequenceNumber lsn, TransactionInfo transaction, ChangePosition position, CancellationToken cancellationToken)
    {
        // pgoutput sends the old row (or old key) before the new one; each must be read whole, in order.
        _old.Clear();
        _new.Clear();
        if (oldRow is not null)
        {
            await ReadAsync(oldRow, _old, cancellationToken).ConfigureAwait(false);
        }

        if (newRow is not null)
        {
            await ReadAsync(newRow, _new, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<RelationMessage.Column> columns = relation.Columns;
        List<(string? Text, bool Unchanged)> keySource = newRow is not null ? _new : _old;
        bool hasKey = keySource.Count == columns.Count && HasKeyColumns(columns);

        Begin(op, relation, lsn, transaction);
        int keyStart = 0;
        int keyLength = -1;
        _json.WritePropertyName("key"u8);
        if (hasKey)
        {
            _json.Flush();
            keyStart = _buffer.WrittenCount;
            WriteRow(columns, keySource, keyOnly: true);
            _json.Flush();
            keyLength = _buffer.WrittenCount - keyStart;
        }
        else
        {
            _json.WriteNullValue();
        }

        _json.WritePropertyName("new"u8);
        if (newRow is not null)
        {
            WriteRow(columns, _new, keyOnly: false);
        }
        else
        {
            _json.WriteNullValue();
        }

        _json.WritePropertyName("old"u8);
        if (oldRow is not null)
        {
            WriteRow(columns, _old, keyOnly: oldIsKeyOnly);
        }
        else
        {
            _json.WriteNullValue();
        }

        return End(keyStart, keyLength, transaction, position);
    }

    /// <summary>Writes the truncate of one table.</summary>
    public CapturedChange EncodeTruncate(RelationMessage relation, NpgsqlLogSequenceNumber lsn, in TransactionInfo transaction, ChangePosition position)
    {
        Begin("truncate", relation, lsn, transaction);
        _json.WriteNull("key"u8);
        _json.WriteNull("new"u8);
        _json.WriteNull("old"u8);
        return End(0, -1, transaction, position);
    }

    private void Begin(string op, RelationMessage relation, NpgsqlLogSequenceNumber lsn, in TransactionInfo transaction)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("op"u8, op);
        _json.WriteString("table"u8, TableName(relation));
        Span<char> text = stackalloc char[TransactionInfo.MaxLsnLength];
        _json.WriteString("lsn"u8, text[..TransactionInfo.FormatLsn(lsn, text)]);
        _json.WriteString("commitLsn"u8, transaction.CommitLsnText);
        _json.WriteString("commitTime"u8, transaction.CommitTimeText);
    }

    // schema.table, made once per table (and again when a relation message renames it).
    private string TableName(RelationMessage relation)
    {
        if (!_tables.TryGetValue(relation.RelationId, out var known)
            || !ReferenceEquals(known.Schema, relation.Namespace) || !ReferenceEquals(known.Table, relation.RelationName))
        {
            known = (relation.Namespace, relation.RelationName, relation.Namespace + "." + relation.RelationName);
            _tables[relation.RelationId] = known;
        }

        return known.Name;
    }

    private CapturedChange End(int keyStart, int keyLength, in TransactionInfo transaction, ChangePosition position)
    {
        _json.WriteEndObject();
        _json.Flush();
        return new CapturedChange
        {
            Payload = _buffer.WrittenSpan.ToArray(),
            KeyStart = keyStart,
            KeyLength = keyLength,
            Timestamp = transaction.UnixMilliseconds,
            Position = position,
        };
    }

    private void WriteRow(IReadOnlyList<RelationMessage.Column> columns, List<(string? Text, bool Unchanged)> values, bool keyOnly)
    {
        _json.WriteStartObject();
        for (int i = 0; i < columns.Count && i < values.Count; i++)
        {
            RelationMessage.Column column = columns[i];
            (string? text, bool unchanged) = values[i];
            if (unchanged || (keyOnly && (column.Flags & RelationMessage.Column.ColumnFlags.PartOfKey) == 0))
            {
                continue;
            }

            if (text is null)
            {
                _json.WriteNull(column.ColumnName);
            }
            else
            {
                _json.WriteString(column.ColumnName, text);
            }
        }

        _json.WriteEndObject();
    }

    private static bool HasKeyColumns(IReadOnlyList<RelationMessage.Column> columns)
    {
        for (int i = 0; i < columns.Count; i++)
        {
            if ((columns[i].Flags & RelationMessage.Column.ColumnFlags.PartOfKey) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static async ValueTask ReadAsync(ReplicationTuple row, List<(string? Text, bool Unchanged)> values, CancellationToken cancellationToken)
    {
        await foreach (ReplicationValue value in row.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (value.IsDBNull)
            {
                values.Add((null, false));
            }
            else if (value.IsUnchangedToastedValue)
            {
                values.Add((null, true));
            }
            else
            {
                // The source asks for text: every type's value arrives as PostgreSQL's text output.
                values.Add((await value.Get<string>(cancellationToken).ConfigureAwait(false), false));
            }
        }
    }
}

/// <summary>
/// The transaction a change belongs to: its commit record's LSN and its commit time, and their text, made once per
/// transaction for all its changes.
/// </summary>
internal readonly struct TransactionInfo
{
    /// <summary>The longest LSN text: two 8-digit hexadecimal halves and a slash.</summary>
    public const int MaxLsnLength = 17;

    /// <summary>Takes the transaction's commit from its begin message.</summary>
    /// <param name="commitLsn">Where the transaction's commit record starts (the begin message's final LSN).</param>
    /// <param name="commitTime">When the transaction committed, in UTC.</param>
    public TransactionInfo(NpgsqlLogSequenceNumber commitLsn, DateTime commitTime)
    {
        CommitLsn = commitLsn;
        CommitLsnText = commitLsn.ToString();
        CommitTimeText = commitTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        UnixMilliseconds = new DateTimeOffset(DateTime.SpecifyKind(commitTime, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    }

    /// <summary>Where the transaction's commit record starts.</summary>
    public NpgsqlLogSequenceNumber CommitLsn { get; }

    /// <summary><see cref="CommitLsn"/> as PostgreSQL writes an LSN: <c>0/16B3748</c>.</summary>
    public string CommitLsnText { get; }

    /// <summary>The commit time in ISO 8601, UTC, to the microsecond.</summary>
    public string CommitTimeText { get; }

    /// <summary>The commit time in Unix milliseconds.</summary>
    public long UnixMilliseconds { get; }

    /// <summary>Writes <paramref name="lsn"/> as PostgreSQL does (<c>0/16B3748</c>) into <paramref name="target"/>; returns its length.</summary>
    public static int FormatLsn(NpgsqlLogSequenceNumber lsn, Span<char> target)
    {
        ulong value = (ulong)lsn;
        ((uint)(value >> 32)).TryFormat(target, out int high, "X", CultureInfo.InvariantCulture);
        target[high] = '/';
        ((uint)value).TryFormat(target[(high + 1)..], out int low, "X", CultureInfo.InvariantCulture);
        return high + 1 + low;
    }
}
