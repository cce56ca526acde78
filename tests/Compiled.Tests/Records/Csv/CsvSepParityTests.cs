using System.Globalization;
using System.Text;
using Compiled.Connectors;
using nietras.SeparatedValues;

namespace Compiled.Tests.Records.Csv;

/// <summary>The generated parser and Sep read the same CSV to the same values, field by field.</summary>
public class CsvSepParityTests
{
    // Hand-picked rows around the edges of the format: quoted numbers, empty and quote-only text, separators and line
    // breaks in quotes, spaces around numbers, non-ASCII text, extremes.
    private static readonly string[] EdgeRows =
    [
        "\"1\",\"-2\",3,-4,\"18446744073709551615\",4294967295,65535,255,\"1e308\",\"79228162514264337593543950335\",true,Buy,2026-03-01T00:00:00Z,2026-03-01T00:00:00+14:00,00000000-0000-0000-0000-000000000000,\"\",\"\"\"\",0,01/01/2026 00:00\n",
        " 7 ,+8,-32768,-128,0,0,0,0,-0,-0.0000000000000000000000000001,False,SELL,0001-01-02T00:00:00Z,2026-03-01T23:59:59.9999999-14:00,ffffffff-ffff-ffff-ffff-ffffffffffff,\",\n,\",\"日本 𝄞\",-62135596800000,31/12/2099 23:59\n",
        "-9223372036854775808,2147483647,32767,127,1,1,1,1,4.9406564584124654E-324,0.5,TRUE,buy,9999-12-30T23:59:59.9999999Z,0002-01-01T00:00:00+00:00,0f8fad5b-d9cb-469f-a165-70867728950e,\"a\"\"b\"\"c\",\"x\ny\",253402300799999,29/02/2028 12:00\n",
    ];

    [Fact]
    public void GeneratedAndEdgeRows_ReadTheSameAsSep()
    {
        var random = new Random(42);
        var csv = new StringBuilder();
        foreach (string row in EdgeRows)
        {
            csv.Append(row);
        }

        for (int i = 0; i < 2000; i++)
        {
            csv.Append(SampleRows.Write(SampleRows.Random(random), random));
        }

        // Sep keeps a "\r\n" inside quotes as it is; the framer reads it as "\n" (the README says so): compare on that.
        List<string> sep = ReadWithSep(csv.ToString());
        var ours = new List<string>();
        var counters = new SourceCounters();
        CsvFeed.Read<Sample>(Encoding.UTF8.GetBytes(csv.ToString()), new CsvRecordReader(Sample.CsvLayout, "Samples", counters), Sample.TryReadCsv,
            s => ours.Add(Describe(s.Int64, s.Int32, s.Int16, s.SByte, s.UInt64, s.UInt32, s.UInt16, s.Byte, s.Double, s.Decimal, s.Boolean, s.Side,
                s.Time, s.Offset, s.Id, s.Text.ToString(), s.Name, s.Millis, s.Local)));

        Assert.Equal(0, counters.Malformed);
        Assert.Equal(2000 + EdgeRows.Length, sep.Count);
        Assert.Equal(sep, ours);
    }

    private static List<string> ReadWithSep(string csv)
    {
        var rows = new List<string>();
        using SepReader reader = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true }).FromText(csv);
        foreach (SepReader.Row row in reader)
        {
            CultureInfo c = CultureInfo.InvariantCulture;
            rows.Add(Describe(
                row[0].Parse<long>(), row[1].Parse<int>(), row[2].Parse<short>(), row[3].Parse<sbyte>(), row[4].Parse<ulong>(), row[5].Parse<uint>(),
                row[6].Parse<ushort>(), row[7].Parse<byte>(), row[8].Parse<double>(), decimal.Parse(row[9].Span, NumberStyles.Number, c),
                bool.Parse(row[10].Span), Enum.Parse<Side>(row[11].Span, ignoreCase: true),
                DateTime.Parse(row[12].Span, c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                DateTimeOffset.Parse(row[13].Span, c, DateTimeStyles.AssumeUniversal), row[14].Parse<Guid>(),
                SampleValues.AsRead(row[15].ToString()), SampleValues.AsRead(row[16].ToString()),
                DateTime.UnixEpoch.AddMilliseconds(row[17].Parse<long>()),
                DateTime.ParseExact(row[18].Span, "dd/MM/yyyy HH:mm", c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)));
        }

        return rows;
    }

    private static string Describe(params object[] values) =>
        string.Join("|", values.Select(v => v switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));
}
