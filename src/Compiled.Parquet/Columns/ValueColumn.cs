using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Compiled.Parquet.Columns;

/// <summary>
/// A required column of numbers, booleans, <see cref="Guid"/>s, <see cref="decimal"/>s or timestamps: the values in one
/// growing array.
/// </summary>
/// <typeparam name="T">The value type: <see cref="bool"/>, an integer type, <see cref="float"/>, <see cref="double"/>, <see cref="decimal"/>, <see cref="DateTime"/> or <see cref="Guid"/>.</typeparam>
public sealed class ValueColumn<T> : ParquetColumn
    where T : struct
{
    private T[] _values = [];
    private int _count;

    /// <summary>Creates the column <paramref name="name"/>.</summary>
    public ValueColumn(string name)
        : base(FieldOf<T>(name, nullable: false))
    {
    }

    /// <inheritdoc />
    public override int Count => _count;

    /// <summary>The batch's values so far.</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, _count);

    /// <summary>Appends one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value)
    {
        T[] values = _values;
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
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T>(_values, 0, _count), null, null, cancellationToken);

    /// <inheritdoc />
    public override async Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        _values = Ensure(_values, _count, _count + rows);
        await rowGroup.ReadAsync(field, new Memory<T>(_values, _count, rows), null, cancellationToken).ConfigureAwait(false);
        _count += rows;
    }

    /// <inheritdoc />
    public override void Clear() => _count = 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddGrowing(T value)
    {
        _values = Grow(_values, _count);
        _values[_count++] = value;
    }
}

/// <summary>An optional column of <see cref="ValueColumn{T}"/>'s types, for a <see cref="Nullable{T}"/> member: a value or null per row.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class NullableColumn<T> : ParquetColumn
    where T : struct
{
    private T?[] _values = [];
    private int _count;

    /// <summary>Creates the column <paramref name="name"/>.</summary>
    public NullableColumn(string name)
        : base(FieldOf<T>(name, nullable: true))
    {
    }

    /// <inheritdoc />
    public override int Count => _count;

    /// <summary>Appends one value, or a null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T? value)
    {
        T?[] values = _values;
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
    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T?>(_values, 0, _count), null, null, cancellationToken);

    /// <inheritdoc />
    public override async Task ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowGroup);
        _values = Ensure(_values, _count, _count + rows);
        await rowGroup.ReadAsync(field, new Memory<T?>(_values, _count, rows), null, cancellationToken).ConfigureAwait(false);
        _count += rows;
    }

    /// <inheritdoc />
    public override void Clear() => _count = 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddGrowing(T? value)
    {
        _values = Grow(_values, _count);
        _values[_count++] = value;
    }
}
