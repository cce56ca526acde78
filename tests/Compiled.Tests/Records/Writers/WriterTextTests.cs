using System.Text;
using System.Text.Json;

namespace Compiled.Tests.Records.Writers;

/// <summary>The CSV fields and JSON strings the generated writers write: quoting, escaping, and invalid UTF-8.</summary>
public class WriterTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("semi;colon", "semi;colon")]
    [InlineData("日本 €", "日本 €")]
    public void CsvField_QuotesOnlyWhatNeedsQuotes_AndDoublesQuotes(string value, string expected)
    {
        var text = new RecordText();
        CsvText.Field(text, Encoding.UTF8.GetBytes(value), (byte)',');
        Assert.Equal(expected, Encoding.UTF8.GetString(text.Written));

        CsvText.Field(text.Clear(), value, (byte)',');
        Assert.Equal(expected, Encoding.UTF8.GetString(text.Written));
    }

    [Fact]
    public void CsvField_QuotesTheRecordsOwnSeparator()
    {
        var text = new RecordText();
        CsvText.Field(text, "semi;colon"u8, (byte)';');
        Assert.Equal("\"semi;colon\"", Encoding.UTF8.GetString(text.Written));
        CsvText.Formatted(text.Clear(), new DateTime(2026, 3, 1, 12, 30, 0), "yyyy,MM,dd", (byte)',');
        Assert.Equal("\"2026,03,01\"", Encoding.UTF8.GetString(text.Written));
    }

    [Fact]
    public void InvalidUtf8_IsWrittenWithReplacementCharacters_InCsvAndJson()
    {
        // A stray continuation byte, a truncated three-byte sequence, an overlong '/', and a byte never valid in UTF-8.
        byte[] invalid = [(byte)'a', 0x80, (byte)'b', 0xE2, 0x82, (byte)'c', 0xC0, 0xAF, 0xFF, (byte)'"'];
        string expected = Encoding.UTF8.GetString(invalid);
        Assert.Contains('\uFFFD', expected);

        var text = new RecordText();
        CsvText.Field(text, invalid, (byte)',');
        Assert.True(System.Text.Unicode.Utf8.IsValid(text.Written));
        Assert.Equal("\"" + expected.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"", Encoding.UTF8.GetString(text.Written));

        JsonText.String(text.Clear(), invalid);
        Assert.True(System.Text.Unicode.Utf8.IsValid(text.Written));
        Assert.Equal(expected, JsonSerializer.Deserialize<string>(text.Written));
    }

    [Fact]
    public void JsonString_EscapesQuotesBackslashesAndControlCharacters()
    {
        string value = "q\"b\\n\nr\rt\tb\bf\fz\0u\u001f é 𝄞";
        var text = new RecordText();
        JsonText.String(text, Encoding.UTF8.GetBytes(value));
        string written = Encoding.UTF8.GetString(text.Written);
        Assert.Equal("\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\fz\\u0000u\\u001f é 𝄞\"", written);
        Assert.Equal(value, JsonSerializer.Deserialize<string>(written));

        JsonText.String(text.Clear(), value);
        Assert.Equal(written, Encoding.UTF8.GetString(text.Written));
        JsonText.String(text.Clear(), (string?)null);
        Assert.Equal("null", Encoding.UTF8.GetString(text.Written));
    }

    [Theory]
    [InlineData(double.NaN, "\"NaN\"")]
    [InlineData(double.PositiveInfinity, "\"Infinity\"")]
    [InlineData(double.NegativeInfinity, "\"-Infinity\"")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.Epsilon, "5E-324")]
    [InlineData(-1.7976931348623157E+308, "-1.7976931348623157E+308")]
    public void JsonNumber_IsTheShortestRoundTrip_AndNamesWhatIsNotFinite(double value, string expected)
    {
        var text = new RecordText();
        JsonText.Number(text, value);
        Assert.Equal(expected, Encoding.UTF8.GetString(text.Written));
        var options = new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Assert.Equal(value, JsonSerializer.Deserialize<double>(text.Written, options));
    }

    [Fact]
    public void UnixTimes_RoundDown_BeforeAndAfterTheEpoch()
    {
        Assert.Equal(-1, WriterText.UnixSeconds(DateTime.UnixEpoch.AddTicks(-1)));
        Assert.Equal(-1, WriterText.UnixMilliseconds(DateTime.UnixEpoch.AddTicks(-1)));
        Assert.Equal(1_700_000_000_123, WriterText.UnixMilliseconds(DateTime.UnixEpoch.AddMilliseconds(1_700_000_000_123).AddTicks(5)));
    }
}
