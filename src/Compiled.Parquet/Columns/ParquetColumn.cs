using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet.Columns;

/// <summary>
/// One column of a Parquet sink's rows as it grows through a batch: the generated job appends each record's member to
/// the column's typed buffer (a direct call on a sealed class, no boxing), and at the batch's commit the sink writes the
/// buffer as the column of one row group. Buffers are kept across batches, so once they have grown to the largest batch
/// appending allocates nothing.
/// </summary>
public abstract class ParquetColumn
{
    /// <summary>The initial capacity of a column's buffer, in values.</summary>
    protected const int InitialCapacity = 256;

    /// <summary>Creates a column described by <paramref name="field"/>.</summary>
    protected ParquetColumn(DataField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        Field = field;
    }

    /// <summary>The column's name and Parquet type, as its file's schema declares it.</summary>
    public DataField Field { get; }

    /// <summary>How many values the column holds in the current batch.</summary>
    public abstract int Count { get; }

    /// <summary>Writes the batch's values as this column of <paramref name="rowGroup"/>.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken);

    /// <summary>Forgets the batch's values, keeping the buffers.</summary>
    public abstract void Clear();

    /// <summary>
    /// Appends the <paramref name="rows"/> values of column <paramref name="field"/> of a row group read back (a part the
    /// sink prepared, merged into its file): the typed reader, never the reflection one.
    /// </summary>
    public abstract Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken);

    /// <summary>A buffer of at least <paramref name="needed"/> values with the first <paramref name="count"/> values of <paramref name="values"/>.</summary>
    protected static T[] Ensure<T>(T[] values, int count, int needed)
    {
        if (needed <= values.Length)
        {
            return values;
        }

        var larger = new T[Math.Max(needed, values.Length * 2)];
        Array.Copy(values, larger, count);
        return larger;
    }

    /// <summary>A buffer twice as large (at most the largest array) with the first <paramref name="count"/> values of <paramref name="values"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="values"/> is already the largest array: the batch has more rows than a column can keep.</exception>
    protected static T[] Grow<T>(T[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length >= Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"A Parquet column would hold more than {Array.MaxLength} rows in one batch, the most one column can keep until the " +
                "batch's commit writes it as a row group; write fewer records per batch (a shorter batch interval).");
        }

        var larger = new T[(int)Math.Min(Math.Max(InitialCapacity, values.Length * 2L), Array.MaxLength)];
        Array.Copy(values, larger, count);
        return larger;
    }

    /// <summary>The Parquet field of a column of <typeparamref name="T"/> values: a UTC timestamp in microseconds for a <see cref="DateTime"/>, <c>decimal(38, 18)</c> for a <see cref="decimal"/>, else the type's own.</summary>
    protected static DataField FieldOf<T>(string name, bool nullable)
        where T : struct
    {
        if (typeof(T) == typeof(DateTime))
        {
            return new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: nullable);
        }

        if (typeof(T) == typeof(decimal))
        {
            return new DecimalDataField(name, DecimalPrecision, DecimalScale, isNullable: nullable);
        }

        return new DataField(name, typeof(T), isNullable: nullable);
    }

    /// <summary>The precision of a <see cref="decimal"/> column: 38 digits, Spark's largest decimal.</summary>
    public const int DecimalPrecision = 38;

    /// <summary>The scale of a <see cref="decimal"/> column: 18 digits after the point, as Spark's <c>DecimalType(38, 18)</c>.</summary>
    public const int DecimalScale = 18;
}
