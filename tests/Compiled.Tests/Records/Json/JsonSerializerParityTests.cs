using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compiled.Connectors;
using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Json;

/// <summary>
/// The generated JSON parser and <see cref="JsonSerializer"/> (with <see cref="JsonStringEnumConverter"/>, every member
/// required and non-nullable) read the same lines to the same values, member by member; where JsonSerializer throws, the
/// parser refuses the line and counts it.
/// </summary>
public class JsonSerializerParityTests
{
    private static readonly JsonSerializerOptions Options = new()
    {
        RespectNullableAnnotations = true,
        Converters = { new JsonStringEnumConverter() },
    };

    // Hand-picked lines around the edges: escapes in names and values, extremes, the last of two members winning, a
    // member null then given, white space around the object, nested junk with the members' own names inside.
    private static readonly string[] EdgeLines =
    [
        Line("\"Int64\":-9223372036854775808,\"Int32\":2147483647,\"Double\":4.9406564584124654E-324,\"Decimal\":79228162514264337593543950335,\"Text\":\"\""),
        Line("\"UInt64\":18446744073709551615,\"Single\":3.4028235E38,\"Double\":1.7976931348623157E308,\"Text\":\"\\ud834\\udd1e \\u65e5\\u672c \\\"q\\\" \\\\ \\/\""),
        Line("\"Int64\":1,\"Int64\":2,\"Name\":null,\"Name\":\"later\",\"Side\":\"sell\",\"Side\":0"),
        Line("\"deep\":{\"Int64\":\"not this one\",\"x\":[[[[{\"Text\":1}]]]]},\"Time\":\"2026-03-01T12:00:05.1234567Z\",\"Offset\":\"2026-03-01T12:00:05-14:00\""),
        "  \t" + Line("\"Double\":-0.0,\"Decimal\":-0.0000000000000000000000000001,\"Byte\":255,\"SByte\":-128") + " \t ",
        Line("\"\\u0054ext\":\"escaped name\",\"Id\":\"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\",\"Double\":1e-400,\"Decimal\":1e-40"),
        Line("\"Double\":123456789012345678901234567890,\"Single\":1e-50,\"Decimal\":12345678901234567890.123456789"),
        Line("\"Int64\":1e2"),
        Line("\"Int64\":\"1\""),
        Line("\"UInt32\":-0"),
        Line("\"Byte\":-0"),
        Line("\"Boolean\":null"),
        Line("\"Time\":null"),
        Line("\"Text\":null"),
        Line("\"Double\":1e309"),
        Line("\"Text\":\"\\ud800\""),
        Line("\"Side\":\"Hold\""),
        Line("\"Id\":\"0f8fad5bd9cb469fa16570867728950e\""),
        Line("\"Time\":\"2026-02-29T00:00:00Z\""),
        "[" + Line("") + "]",
        Line("") + "]",
        Line("") + "//",
        "null",
    ];

    [Fact]
    public void RandomAndEdgeLines_ReadTheSameAsJsonSerializer()
    {
        var random = new Random(20261206);
        var lines = new List<string>(EdgeLines);
        for (int i = 0; i < 6000; i++)
        {
            lines.Add(JsonLines.Line(random));
        }

        var counters = new SourceCounters();
        var reader = new JsonRecordReader(JsonSample.JsonLayout, "Samples", counters);
        int refusedByBoth = 0;
        int readByBoth = 0;
        foreach (string line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                // A line of white space is no record and no error (JsonSerializer throws for it): skipped, not counted.
                long malformed = counters.Malformed;
                Assert.False(JsonSample.TryReadJson(reader, Encoding.UTF8.GetBytes(line), out _));
                Assert.Equal(malformed, counters.Malformed);
                continue;
            }

            string? expected = Reference(line, out string? error);
            long before = counters.Malformed;
            string? actual = JsonSample.TryReadJson(reader, Encoding.UTF8.GetBytes(line), out JsonSample sample) ? Describe(sample) : null;
            Assert.True(actual is not null || counters.Malformed == before + 1, $"A refused line must be counted: {line}");
            Assert.True(expected == actual, $"Line: {line}\nJsonSerializer: {expected ?? "throws " + error}\nGenerated:      {actual ?? "refused"}");
            refusedByBoth += actual is null ? 1 : 0;
            readByBoth += actual is null ? 0 : 1;
        }

        // The random lines must exercise both outcomes in earnest.
        Assert.InRange(readByBoth, 2000, lines.Count);
        Assert.InRange(refusedByBoth, 300, lines.Count);
    }

    private static string Line(string properties)
    {
        var all = new Dictionary<string, string>
        {
            ["Int64"] = "1", ["Int32"] = "2", ["Int16"] = "3", ["SByte"] = "4", ["UInt64"] = "5", ["UInt32"] = "6", ["UInt16"] = "7", ["Byte"] = "8",
            ["Double"] = "9.5", ["Single"] = "10.25", ["Decimal"] = "11.125", ["Boolean"] = "true", ["Side"] = "\"Buy\"",
            ["Time"] = "\"2026-03-01T00:00:00Z\"", ["Offset"] = "\"2026-03-01T00:00:00+01:00\"", ["Id"] = "\"0f8fad5b-d9cb-469f-a165-70867728950e\"",
            ["Text"] = "\"t\"", ["Name"] = "\"n\"",
        };
        return "{" + string.Join(",", all.Select(p => $"\"{p.Key}\":{p.Value}")) + (properties.Length == 0 ? "" : "," + properties) + "}";
    }

    // What JsonSerializer reads, described as Describe describes the generated parser's record; null when it throws.
    private static string? Reference(string line, out string? error)
    {
        error = null;
        try
        {
            SampleReference? sample = JsonSerializer.Deserialize<SampleReference>(line, Options);
            return sample is null ? null : Describe(sample.Int64, sample.Int32, sample.Int16, sample.SByte, sample.UInt64, sample.UInt32, sample.UInt16, sample.Byte,
                sample.Double, sample.Single, sample.Decimal, sample.Boolean, sample.Side, sample.Time, sample.Offset, sample.Id, sample.Text, sample.Name);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            error = exception.GetType().Name + ": " + exception.Message;
            return null;
        }
    }

    private static string Describe(in JsonSample s) =>
        Describe(s.Int64, s.Int32, s.Int16, s.SByte, s.UInt64, s.UInt32, s.UInt16, s.Byte, s.Double, s.Single, s.Decimal, s.Boolean, s.Side, s.Time, s.Offset, s.Id,
            s.Text.ToString(), s.Name);

    private static string Describe(long int64, int int32, short int16, sbyte sbyte8, ulong uint64, uint uint32, ushort uint16, byte byte8, double number,
        float single, decimal money, bool boolean, Side side, DateTime time, DateTimeOffset offset, Guid id, string text, string name) =>
        string.Join("|", int64, int32, int16, sbyte8, uint64, uint32, uint16, byte8, number.ToString("R", CultureInfo.InvariantCulture),
            single.ToString("R", CultureInfo.InvariantCulture), money.ToString(CultureInfo.InvariantCulture), boolean, side,
            time.Ticks + "/" + time.Kind, offset.Ticks + "/" + offset.Offset, id, Escape(text), Escape(name));

    private static string Escape(string text) => JsonSerializer.Serialize(text);

    /// <summary>What JsonSerializer reads a line into: the same members, all required.</summary>
    private sealed class SampleReference
    {
        [JsonRequired] public long Int64 { get; set; }
        [JsonRequired] public int Int32 { get; set; }
        [JsonRequired] public short Int16 { get; set; }
        [JsonRequired] public sbyte SByte { get; set; }
        [JsonRequired] public ulong UInt64 { get; set; }
        [JsonRequired] public uint UInt32 { get; set; }
        [JsonRequired] public ushort UInt16 { get; set; }
        [JsonRequired] public byte Byte { get; set; }
        [JsonRequired] public double Double { get; set; }
        [JsonRequired] public float Single { get; set; }
        [JsonRequired] public decimal Decimal { get; set; }
        [JsonRequired] public bool Boolean { get; set; }
        [JsonRequired] public Side Side { get; set; }
        [JsonRequired] public DateTime Time { get; set; }
        [JsonRequired] public DateTimeOffset Offset { get; set; }
        [JsonRequired] public Guid Id { get; set; }
        [JsonRequired] public string Text { get; set; } = "";
        [JsonRequired] public string Name { get; set; } = "";
    }
}
