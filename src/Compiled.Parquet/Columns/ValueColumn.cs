using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet.Columns;

/// <summary>
/// A column whose batch's values are kept in one growing array of <typeparamref name="TItem"/>: what
/// <see cref="ValueColumn{T}"/> (<typeparamref name="TItem"/> is the value type) and <see cref="NullableColumn{T}"/>
/// (<typeparamref name="TItem"/> is its <see cref="Nullable{T}"/>) share. They differ only in which of Parquet.Net's
/// typed calls writes and reads the array.
/// </summary>
/// <typeparam name="TItem">What one row holds.</typeparam>
public abstract class ArrayColumn<TItem> : ParquetColumn
{
    private TItem[] _values = [];
    private int _count;

    /// <summary>Creates a column described by <paramref name="field"/>.</summary>
    protected ArrayColumn(DataField field)
        : base(field)
    {
    }

    /// <inheritdoc />
    public override int Count => _count;

    /// <summary>The batch's values, as the row group is written with them.</summary>
    protected ReadOnlyMemory<TItem> Written => new(_values, 0, _count);

    /// <summary>Appends one row's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(TItem value)
    {
        TItem[] values = _values;
        int count = _count;
        if ((uint)count < (uint)values.Length)
        {
            values[count] = value;
            _count = count + 1;
            return;
        }

        AddGrowing(value);
    }

    /// <inheritdoc />
    public override void Clear() => _count = 0;

    /// <summary>Room after the batch's values for the <paramref name="rows"/> values of a row group read back; <see cref="Appended"/> counts them once read.</summary>
    protected Memory<TItem> RoomFor(int rows)
    {
        _values = Ensure(_values, _count, _count + rows);
        return new Memory<TItem>(_values, _count, rows);
    }

    /// <summary>Counts the <paramref name="rows"/> values read into the room <see cref="RoomFor"/> gave.</summary>
    protected void Appended(int rows) => _count += rows;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddGrowing(TItem value)
    {
        _values = Grow(_values, _count);
        _values[_count++] = value;
    }
}

/// <summary>
/// A required column of numbers, booleans, <see cref="Guid"/>s, <see cref="decimal"/>s or timestamps: the values in one
/// growing array.
/// </summary>
/// <typeparam name="T">The value type: <see cref="bool"/>, an integer type, <see cref="float"/>, <see cref="double"/>, <see cref="decimal"/>, <see cref="DateTime"/> or <see cref="Guid"/>.</typeparam>
public sealed class ValueColumn<T> : ArrayColumn<T>
    where T : struct
{
    /// <summary>Creates the column <paramref name="name"/>.</summary>
    public ValueColumn(string name)
        : base(FieldOf<T>(name, nullable: false))
    {
    }

    /// <inheritdoc />
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, Written, null, null, cancellationToken);

    /// <inheritdoc />
    public override async Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        await rowGroup.ReadAsync(field, RoomFor(rows), null, cancellationToken).ConfigureAwait(false);
        Appended(rows);
    }
}

/// <summary>An optional column of <see cref="ValueColumn{T}"/>'s types, for a <see cref="Nullable{T}"/> member: a value or null per row.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class NullableColumn<T> : ArrayColumn<T?>
    where T : struct
{
    /// <summary>Creates the column <paramref name="name"/>.</summary>
    public NullableColumn(string name)
        : base(FieldOf<T>(name, nullable: true))
    {
    }

    /// <inheritdoc />
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, Written, null, null, cancellationToken);

    /// <inheritdoc />
    public override async Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        await rowGroup.ReadAsync(field, RoomFor(rows), null, cancellationToken).ConfigureAwait(false);
        Appended(rows);
    }
}
