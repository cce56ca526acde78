using System.Globalization;
using System.Text;

namespace Compiled.Tests.Records;

public class Utf8FormatTests
{
    // Every count of digits, each power of ten and the numbers either side of it, and the ends of each type.
    public static TheoryData<long> Edges()
    {
        var data = new TheoryData<long> { 0, long.MaxValue, long.MinValue, long.MinValue + 1, int.MaxValue, int.MinValue, uint.MaxValue };
        long power = 1;
        for (int zeros = 0; zeros <= 18; zeros++, power *= 10)
        {
            foreach (long value in new[] { power - 1, power, power + 1, -power, -(power - 1), (power * 3) + 7 })
            {
                data.Add(value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void Utf8Format_Long_WritesWhatTheRuntimeWrites(long value)
    {
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Formatted(value));
        if (value >= 0)
        {
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Formatted((ulong)value));
        }
    }

    [Fact]
    public void Utf8Format_RandomNumbersOfEveryWidth_WriteWhatTheRuntimeWrites()
    {
        var random = new Random(12);
        var destination = new byte[32];
        for (int i = 0; i < 200_000; i++)
        {
            // A random number of random width: the bits shifted down by a random amount, so that short and long numbers
            // come as often as each other.
            ulong unsigned = (ulong)random.NextInt64() >> random.Next(0, 63);
            long signed = random.Next(2) == 0 ? (long)unsigned : -(long)unsigned;
            Assert.True(Utf8Format.TryFormat(unsigned, destination, out int written));
            Assert.Equal(unsigned.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(destination, 0, written));
            Assert.True(Utf8Format.TryFormat(signed, destination, out written));
            Assert.Equal(signed.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(destination, 0, written));
            int small = (int)signed;
            Assert.True(Utf8Format.TryFormat(small, destination, out written));
            Assert.Equal(small.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(destination, 0, written));
            Assert.True(Utf8Format.TryFormat((uint)small, destination, out written));
            Assert.Equal(((uint)small).ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(destination, 0, written));
        }
    }

    [Fact]
    public void Utf8Format_ADestinationTooShort_IsRefusedAndOneJustLongEnoughIsWrittenExactly()
    {
        // Below the fast path's 16 bytes of room the runtime's formatting writes the number: exactly, and nothing past it.
        foreach (long value in new[] { 7L, 1234L, -1234L, 12345678L, 123456789012345L, long.MinValue })
        {
            string expected = value.ToString(CultureInfo.InvariantCulture);
            var tooShort = new byte[expected.Length - 1];
            Assert.False(Utf8Format.TryFormat(value, tooShort, out int written));
            Assert.Equal(0, written);

            byte[] exact = Enumerable.Repeat((byte)'#', expected.Length + 1).ToArray();
            Assert.True(Utf8Format.TryFormat(value, exact.AsSpan(0, expected.Length), out written));
            Assert.Equal(expected + "#", Encoding.ASCII.GetString(exact));
        }
    }

    [Fact]
    public void RecordText_AppendValue_WritesIntegersAsTheRuntimeDoes_AfterOtherText()
    {
        // The integer overloads write into the buffer's room at its end: a record of several numbers, grown from 16 bytes.
        var text = new RecordText(capacity: 16);
        text.Clear().AppendValue(1_700_000_000_123L).Append(',').AppendValue(-42).Append(',').AppendValue(ulong.MaxValue)
            .Append(',').AppendValue(uint.MaxValue).Append(',').AppendValue(0L);

        Assert.Equal("1700000000123,-42,18446744073709551615,4294967295,0", Encoding.UTF8.GetString(text.Written));
    }

    private static string Formatted(long value)
    {
        var destination = new byte[32];
        Assert.True(Utf8Format.TryFormat(value, destination, out int written));
        return Encoding.ASCII.GetString(destination, 0, written);
    }

    private static string Formatted(ulong value)
    {
        var destination = new byte[32];
        Assert.True(Utf8Format.TryFormat(value, destination, out int written));
        return Encoding.ASCII.GetString(destination, 0, written);
    }
}
