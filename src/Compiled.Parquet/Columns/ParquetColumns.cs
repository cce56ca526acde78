using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet.Columns;

/// <summary>
/// The columns of one sink's records, which the generator writes for each sink of a job that references this package:
/// a sealed subclass with one typed column per leaf of the record (named as the CSV writer names its header) and an
/// <c>Append(in T record)</c> that adds each member to its column, straight-line code with no boxing, delegate or
/// interface call. The job hands it to a <see cref="ParquetSink"/> when it binds the sink
/// (<see cref="ParquetSink.UseColumns"/>), and the sink writes the columns as one row group at each batch's commit.
/// </summary>
public abstract class ParquetColumns
{
    private readonly ParquetColumn[] _columns;

    /// <summary>Creates the set of <paramref name="columns"/>, in the order of the file's schema.</summary>
    protected ParquetColumns(params ParquetColumn[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("A Parquet file needs at least one column.", nameof(columns));
        }

        _columns = columns;
        Schema = new ParquetSchema(columns.Select(c => (Field)c.Field));
    }

    /// <summary>The schema of the files: one field per column.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>How many rows the current batch has.</summary>
    public int RowCount => _columns[0].Count;

    /// <summary>Forgets the current batch's rows.</summary>
    public void Clear()
    {
        foreach (ParquetColumn column in _columns)
        {
            column.Clear();
        }
    }

    /// <summary>
    /// Checks that a file read back (<paramref name="file"/>, a part the sink prepared) has this schema's columns, in order,
    /// by name, type and optionality: a part written before the job's record changed cannot be merged into its file.
    /// </summary>
    /// <exception cref="IOException">The file's columns differ; the message names the first that does and what to do.</exception>
    public void CheckFieldsOf(string file, IReadOnlyList<DataField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        for (int i = 0; i < Math.Max(fields.Count, _columns.Length); i++)
        {
            DataField? found = i < fields.Count ? fields[i] : null;
            DataField? expected = i < _columns.Length ? _columns[i].Field : null;
            if (found is null || expected is null || found.Name != expected.Name || found.ClrType != expected.ClrType || found.IsNullable != expected.IsNullable)
            {
                throw new IOException(
                    $"The Parquet part '{file}' has as its column {i + 1} {Describe(found)} where the sink's records have {Describe(expected)}: " +
                    "it was written before the job's record type changed, so it cannot be merged into the file of the batches after it. " +
                    "Move it out of the directory (its rows stay readable there) and start the job again.");
            }
        }
    }

    // A column as the message names it: 'name' (type[, optional]); Parquet.Net's type of a text column is ReadOnlyMemory<char>.
    private static string Describe(DataField? field) =>
        field is null
            ? "none"
            : $"'{field.Name}' ({(field.ClrType == typeof(ReadOnlyMemory<char>) ? "string" : field.ClrType.Name)}{(field.IsNullable ? ", optional" : "")})";

    /// <summary>Appends the rows of a row group read back from a file of this schema (<paramref name="fields"/>: the file's fields, in the same order).</summary>
    public async Task ReadRowGroupAsync(ParquetRowGroupReader rowGroup, IReadOnlyList<DataField> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count != _columns.Length)
        {
            throw new IOException($"A Parquet part has {fields.Count} columns where the sink's records have {_columns.Length}: it is not this job's; move it away.");
        }

        int rows = checked((int)rowGroup.RowCount);
        for (int i = 0; i < _columns.Length; i++)
        {
            await _columns[i].ReadAsync(rowGroup, fields[i], rows, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the current batch's rows as one row group of <paramref name="writer"/>'s file.</summary>
    /// <exception cref="IOException">A column could not be written; the message names it.</exception>
    public async Task WriteRowGroupAsync(ParquetWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using ParquetRowGroupWriter rowGroup = writer.CreateRowGroup();
        foreach (ParquetColumn column in _columns)
        {
            try
            {
                await column.WriteAsync(rowGroup, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is NotSupportedException or ArgumentException or InvalidOperationException or OverflowException)
            {
                throw new IOException(
                    $"The Parquet column '{column.Field.Name}' ({column.Field.ClrType.Name}) cannot be written: {error.Message}" +
                    (column.Field is DecimalDataField
                        ? $"; a decimal column holds at most {ParquetColumn.DecimalPrecision - ParquetColumn.DecimalScale} digits before the point: keep the values smaller, or write them as double or text"
                        : "; check the record's values"),
                    error);
            }
        }

        rowGroup.CompleteValidate();
    }
}
