using System.Globalization;
using System.Text;

namespace Compiled.Tests.Records.Csv;

/// <summary>The values of one <see cref="Sample"/> row, as the test writes them (text as strings).</summary>
internal sealed record SampleValues(
    long Int64, int Int32, short Int16, sbyte SByte, ulong UInt64, uint UInt32, ushort UInt16, byte Byte, double Double, decimal Decimal,
    bool Boolean, Side Side, DateTime Time, DateTimeOffset Offset, Guid Id, string Text, string Name, long Millis, DateTime Local)
{
    /// <summary>The text a CSV reader gives back for a text written with line breaks: the framer cuts lines at '\n' and drops the '\r' before it.</summary>
    public static string AsRead(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}

/// <summary>
/// Random <see cref="Sample"/> rows and a small RFC 4180 writer for them: extreme numbers, every character class a text
/// field may hold (separators, quotes, line breaks, non-ASCII), fields quoted at random even when they need not be,
/// and rows ended by "\n" or "\r\n".
/// </summary>
internal static class SampleRows
{
    private static readonly string[] Pieces = ["a", "Z", "0", " ", ",", "\"", "\"\"", "\n", "\r\n", "\r", "\t", ";", "é", "€", "𝄞", "日本", "x y"];

    public static SampleValues Random(Random random)
    {
        return new SampleValues(
            Pick(random, long.MinValue, long.MaxValue, 0, random.NextInt64(long.MinValue, long.MaxValue)),
            (int)Pick(random, int.MinValue, int.MaxValue, -1, random.Next(int.MinValue, int.MaxValue)),
            (short)Pick(random, short.MinValue, short.MaxValue, 0, random.Next(short.MinValue, short.MaxValue)),
            (sbyte)Pick(random, sbyte.MinValue, sbyte.MaxValue, 0, random.Next(sbyte.MinValue, sbyte.MaxValue)),
            random.Next(3) == 0 ? ulong.MaxValue : (ulong)random.NextInt64() * 2,
            random.Next(3) == 0 ? uint.MaxValue : (uint)random.NextInt64(0, uint.MaxValue),
            (ushort)random.Next(0, ushort.MaxValue + 1),
            (byte)random.Next(0, 256),
            random.Next(8) switch
            {
                0 => double.MaxValue,
                1 => double.Epsilon,
                2 => -0.0001,
                3 => double.NaN,
                4 => double.NegativeInfinity,
                5 or 6 => Math.Round(random.NextDouble() * 100_000, random.Next(0, 9)) * (random.Next(2) == 0 ? 1 : -1),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64()) is double d && double.IsFinite(d) ? d : 1.5,
            },
            random.Next(5) switch
            {
                0 => decimal.MaxValue,
                1 => decimal.MinValue,
                2 => 0.0000000000000000000000000001m,
                _ => new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(0, 29)),
            },
            random.Next(2) == 0,
            random.Next(2) == 0 ? Side.Buy : Side.Sell,
            new DateTime(random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), DateTimeKind.Utc),
            new DateTimeOffset(random.NextInt64(new DateTime(2, 1, 1).Ticks, new DateTime(9998, 1, 1).Ticks), TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1))),
            new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray()),
            Text(random),
            Text(random),
            random.NextInt64(-62135596800000, 253402300799999),
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(-10_000_000, 10_000_000)));
    }

    /// <summary>The row as CSV, each field quoted when it must be and at random otherwise, ended by "\n" or "\r\n".</summary>
    public static string Write(SampleValues v, Random random)
    {
        string[] fields =
        [
            Number(v.Int64, random), Number(v.Int32, random), Number(v.Int16, random), Number(v.SByte, random), Number(v.UInt64, random),
            Number(v.UInt32, random), Number(v.UInt16, random), Number(v.Byte, random),
            v.Double.ToString("R", CultureInfo.InvariantCulture), v.Decimal.ToString(CultureInfo.InvariantCulture),
            random.Next(3) switch { 0 => v.Boolean ? "true" : "false", 1 => v.Boolean ? "True" : "False", _ => v.Boolean ? "TRUE" : "FALSE" },
            random.Next(2) == 0 ? v.Side.ToString() : v.Side.ToString().ToLowerInvariant(),
            v.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            v.Offset.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
            random.Next(2) == 0 ? v.Id.ToString("D") : v.Id.ToString("D").ToUpperInvariant(),
            v.Text, v.Name, v.Millis.ToString(CultureInfo.InvariantCulture),
            v.Local.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture),
        ];
        var row = new StringBuilder();
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                row.Append(',');
            }

            string field = fields[i];
            bool must = field.AsSpan().IndexOfAny(",\"\r\n") >= 0;
            row.Append(must || random.Next(4) == 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
        }

        return row.Append(random.Next(2) == 0 ? "\n" : "\r\n").ToString();
    }

    /// <summary>Whether a parsed record holds the values written (read while the record is current: its text is a slice).</summary>
    public static void AssertEqual(SampleValues expected, in Sample actual, int row)
    {
        string at = $"row {row}";
        Assert.True(expected.Int64 == actual.Int64 && expected.Int32 == actual.Int32 && expected.Int16 == actual.Int16 && expected.SByte == actual.SByte, at);
        Assert.True(expected.UInt64 == actual.UInt64 && expected.UInt32 == actual.UInt32 && expected.UInt16 == actual.UInt16 && expected.Byte == actual.Byte, at);
        Assert.True(expected.Double.Equals(actual.Double), $"{at}: {expected.Double:R} read as {actual.Double:R}");
        Assert.True(expected.Decimal == actual.Decimal, $"{at}: {expected.Decimal} read as {actual.Decimal}");
        Assert.True(expected.Boolean == actual.Boolean && expected.Side == actual.Side && expected.Id == actual.Id, at);
        Assert.True(expected.Time == actual.Time && actual.Time.Kind == DateTimeKind.Utc, $"{at}: {expected.Time:O} read as {actual.Time:O}");
        Assert.True(expected.Offset.EqualsExact(actual.Offset), $"{at}: {expected.Offset:O} read as {actual.Offset:O}");
        Assert.Equal(SampleValues.AsRead(expected.Text), actual.Text.ToString());
        Assert.Equal(SampleValues.AsRead(expected.Name), actual.Name);
        Assert.True(DateTime.UnixEpoch.AddMilliseconds(expected.Millis) == actual.Millis, at);
        Assert.True(expected.Local == actual.Local, at);
    }

    private static long Pick(Random random, long min, long max, long middle, long any) => random.Next(6) switch
    {
        0 => min,
        1 => max,
        2 => middle,
        _ => any,
    };

    private static string Number<T>(T value, Random random)
        where T : IFormattable =>
        value.ToString(null, CultureInfo.InvariantCulture);

    private static string Text(Random random)
    {
        int pieces = random.Next(0, 6);
        var text = new StringBuilder();
        for (int i = 0; i < pieces; i++)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }
}
