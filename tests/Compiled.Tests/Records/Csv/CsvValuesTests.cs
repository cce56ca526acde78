using System.Globalization;
using System.Text;

namespace Compiled.Tests.Records.Csv;

/// <summary>The field readers' fast paths give exactly what the types' own parsers give, and classify what they refuse.</summary>
public class CsvValuesTests
{
    [Fact]
    public void Double_ShortDecimals_ReadAsDoubleParseReadsThem()
    {
        // Up to 15 digits with a point anywhere (the fast path), and a few just past it (the fallback).
        var random = new Random(3);
        for (int i = 0; i < 200_000; i++)
        {
            int digits = random.Next(1, 18);
            var text = new StringBuilder(random.Next(3) == 0 ? "-" : "");
            int point = random.Next(-1, digits + 1);
            for (int d = 0; d < digits; d++)
            {
                if (d == point)
                {
                    text.Append('.');
                }

                text.Append((char)('0' + random.Next(10)));
            }

            string field = text.ToString();
            Assert.Equal(BadRecordReason.None, CsvValues.Double(Encoding.ASCII.GetBytes(field), out double value));
            double expected = double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(expected.Equals(value), $"'{field}' read as {value:R}, double.Parse gives {expected:R}");
        }
    }

    [Theory]
    [InlineData("", BadRecordReason.NumberInvalid)]
    [InlineData("-", BadRecordReason.NumberInvalid)]
    [InlineData(".", BadRecordReason.NumberInvalid)]
    [InlineData("1.2.3", BadRecordReason.NumberInvalid)]
    [InlineData("1e400", BadRecordReason.None)] // infinity, as double.Parse gives
    [InlineData(" 2.5 ", BadRecordReason.None)]
    public void Double_OtherForms_AreReadOrRefusedAsDoubleParseDoes(string field, BadRecordReason reason) =>
        Assert.Equal(reason, CsvValues.Double(Encoding.ASCII.GetBytes(field), out _));

    [Theory]
    [InlineData("127", BadRecordReason.None)]
    [InlineData("128", BadRecordReason.NumberOutOfRange)]
    [InlineData("-129", BadRecordReason.NumberOutOfRange)]
    [InlineData(" +5 ", BadRecordReason.None)]
    [InlineData("5x", BadRecordReason.NumberInvalid)]
    [InlineData("", BadRecordReason.NumberInvalid)]
    public void SByte_IsReadOrRefusedUnderItsReason(string field, BadRecordReason reason) =>
        Assert.Equal(reason, CsvValues.SByte(Encoding.ASCII.GetBytes(field), out _));
}
