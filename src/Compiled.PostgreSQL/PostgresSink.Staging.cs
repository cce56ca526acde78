using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Compiled.PostgreSQL;

/// <summary>
/// The staging table a batch is copied into before its upsert: its columns take the target table's types where the
/// binary <c>COPY</c> can carry them as they are, so the upsert reads them without a cast.
/// </summary>
public sealed partial class PostgresSink
{
    /// <summary>The first part of the staging tables' names; the rest names the staged types (<c>compiled_staging_text_bigint</c>).</summary>
    public const string StagingTablePrefix = "compiled_staging_";

    private StagedAs _keyStaged;
    private StagedAs _valueStaged;
    /// <summary>The last part of the name of the second staging table, which holds the later values of keys that came again in a streamed batch.</summary>
    public const string LaterStagingSuffix = "_later";

    private string? _stagingTable;
    private string? _laterStagingTable;
    private string? _createUnloggedStaging;
    private string? _deleteStaged;
    private string _beginBatch = "BEGIN";
    private string? _upsertLater;

    /// <summary>How a column travels in the staging table, which says how the binary <c>COPY</c> writes it.</summary>
    private enum StagedAs
    {
        /// <summary>The record's UTF-8 bytes as <c>text</c> (cast to the column's type unless it is a character type).</summary>
        Text,

        /// <summary>The record's UTF-8 bytes as <c>bytea</c>, for a <c>bytea</c> column.</summary>
        Bytea,

        /// <summary>The value read as a whole number, sent as <c>bigint</c>.</summary>
        Bigint,

        /// <summary>The value read as a whole number, sent as <c>integer</c>.</summary>
        Integer,

        /// <summary>The value read as a whole number, sent as <c>smallint</c>.</summary>
        Smallint,
    }

    /// <summary>
    /// Chooses the staging tables for the target's column types and the upserts from them (the second table holds the
    /// later values of keys that came again in a streamed batch). Without a checkpoint the staging tables are temporary
    /// tables emptied at each commit (no WAL, no dead rows), created if missing by the statement that begins each batch's
    /// transaction, so that the transaction finds them whichever session it runs in. A prepared transaction cannot touch a
    /// temporary table, so with a checkpoint they are unlogged tables, created at open, whose rows the batch's
    /// transaction deletes.
    /// </summary>
    private void PlanStaging(string keyType, string valueType)
    {
        _keyStaged = keyType == "bytea" ? StagedAs.Bytea : StagedAs.Text;
        _valueStaged = valueType switch
        {
            "bigint" => StagedAs.Bigint,
            "integer" => StagedAs.Integer,
            "smallint" => StagedAs.Smallint,
            "bytea" => StagedAs.Bytea,
            _ => StagedAs.Text,
        };

        string name = StagingTablePrefix + SqlType(_keyStaged) + "_" + SqlType(_valueStaged);
        string columns = $"(key {SqlType(_keyStaged)} NOT NULL, value {SqlType(_valueStaged)} NOT NULL)";
        string later = name + LaterStagingSuffix;
        if (Checkpointing)
        {
            _stagingTable = name;
            _laterStagingTable = later;
            _createUnloggedStaging = $"CREATE UNLOGGED TABLE IF NOT EXISTS {name} {columns}; CREATE UNLOGGED TABLE IF NOT EXISTS {later} {columns}";
            _deleteStaged = $"DELETE FROM {name}; DELETE FROM {later}";
            _beginBatch = "BEGIN";
        }
        else
        {
            _stagingTable = "pg_temp." + name;
            _laterStagingTable = "pg_temp." + later;
            _createUnloggedStaging = null;
            _deleteStaged = null;
            _beginBatch =
                $"BEGIN; CREATE TEMP TABLE IF NOT EXISTS {name} {columns} ON COMMIT DELETE ROWS; " +
                $"CREATE TEMP TABLE IF NOT EXISTS {later} {columns} ON COMMIT DELETE ROWS";
        }

        // The staged rows have distinct keys (each key is staged once, with its latest value or, when streamed, its
        // first, and a streamed key's later value once in the second table, upserted after), so they go in as they
        // are, with no sort or DISTINCT to pick one per key.
        _upsert = UpsertFrom(_stagingTable, keyType, valueType);
        _upsertLater = UpsertFrom(_laterStagingTable, keyType, valueType);
    }

    private string UpsertFrom(string staging, string keyType, string valueType) =>
        $"""
        INSERT INTO {_options.TableName} ({_options.QuotedKeyColumn}, {_options.QuotedValueColumn})
        SELECT {FromStaging("s.key", _keyStaged, keyType)}, {FromStaging("s.value", _valueStaged, valueType)}
        FROM {staging} s
        ON CONFLICT ({_options.QuotedKeyColumn}) DO UPDATE SET {_options.QuotedValueColumn} = EXCLUDED.{_options.QuotedValueColumn}
        """;

    private static string SqlType(StagedAs staged) => staged switch
    {
        StagedAs.Bytea => "bytea",
        StagedAs.Bigint => "bigint",
        StagedAs.Integer => "integer",
        StagedAs.Smallint => "smallint",
        _ => "text",
    };

    // Text goes into a character column by assignment (which refuses a value too long for it, where a cast would cut
    // it) and into any other type through that type's text input.
    private static string FromStaging(string column, StagedAs staged, string type) =>
        staged == StagedAs.Text && type != "text" && !type.StartsWith("character", StringComparison.Ordinal)
            ? $"CAST({column} AS {type})"
            : column;

    /// <summary>With a checkpoint, creates the unlogged staging tables if they are missing.</summary>
    private async Task CreateUnloggedStagingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_createUnloggedStaging is null)
        {
            return;
        }

        try
        {
            await ExecuteAsync(connection, _createUnloggedStaging, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException race) when (race.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another sink created it at the same moment: it exists now.
        }
    }

    /// <summary>Copies the batch's distinct keys, each with its latest value, into the staging table.</summary>
    private async Task CopyRecordsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        KeyedRecordBuffer records = _records;
        records.MarkReplacedRecords();
        StagedAs value = _valueStaged;
        await using NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync(
            $"COPY {_stagingTable} (key, value) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < records.Count; i++)
        {
            if (records.IsReplaced(i))
            {
                continue;
            }

            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);

            // Binary COPY carries no type: the bytes of a key go as they are, and a text column takes them as its
            // UTF-8 text (the server checks the encoding), a bytea column as its bytes.
            await importer.WriteAsync(records.KeyAt(i), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            switch (value)
            {
                case StagedAs.Bigint:
                    await importer.WriteAsync(WholeNumber(i, long.MinValue, long.MaxValue), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    break;
                case StagedAs.Integer:
                    await importer.WriteAsync((int)WholeNumber(i, int.MinValue, int.MaxValue), NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    break;
                case StagedAs.Smallint:
                    await importer.WriteAsync((short)WholeNumber(i, short.MinValue, short.MaxValue), NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await importer.WriteAsync(records.ValueAt(i), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The value of record <paramref name="index"/> as a whole number for an integer column: a record added as a number
    /// as it is, a text read as the server's own input reads it (decimal digits with an optional sign and surrounding
    /// white space); either within the column's range.
    /// </summary>
    /// <exception cref="FormatException">The value is not such a number.</exception>
    private long WholeNumber(int index, long least, long most)
    {
        if ((_records.TryGetNumber(index, out long number)
                || long.TryParse(_records.ValueAt(index).Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
            && number >= least && number <= most)
        {
            return number;
        }

        ReadOnlySpan<byte> text = _records.ValueAt(index).Span;
        throw new FormatException(
            $"postgres sink {_options.Display} (sink '{_sinkName}'): the value '{System.Text.Encoding.UTF8.GetString(text)}' of key " +
            $"'{System.Text.Encoding.UTF8.GetString(_records.KeyAt(index).Span)}' is not a whole number from {least} to {most}, which column " +
            $"{_options.ValueColumn} ({SqlType(_valueStaged)}) of table {_options.Table} holds; emit whole numbers in that range, " +
            "or give the column a type that takes the values (bigint, numeric, or text for any value)");
    }
}
