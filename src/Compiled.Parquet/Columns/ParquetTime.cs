namespace Compiled.Parquet.Columns;

/// <summary>
/// How times become Parquet timestamps (UTC, microseconds): a <see cref="DateTimeOffset"/> as the instant it names, a
/// <see cref="DateTime"/> of kind <see cref="DateTimeKind.Local"/> converted to UTC, and any other <see cref="DateTime"/>
/// taken as UTC as it reads.
/// </summary>
public static class ParquetTime
{
    /// <summary>The UTC time of <paramref name="value"/>.</summary>
    public static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>The UTC time of the instant <paramref name="value"/> names.</summary>
    public static DateTime Utc(DateTimeOffset value) => value.UtcDateTime;
}
