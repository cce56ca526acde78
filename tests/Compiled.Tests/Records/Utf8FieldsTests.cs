using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Internal;
using Compiled.Sinks;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Records;

/// <summary>Rows of every field type Utf8Fields reads in place, as they are.</summary>
[Pipeline]
public static partial class NumberRows
{
    [Source]
    public static partial Lines<(long Id, int Count, string Name, double Score, decimal Price, float Ratio)> Rows();

    // The row as it is: a sink writes a tuple's numbers in the invariant culture, whatever the current one.
    [Sink]
    public static partial void Output((long Id, int Count, string Name, double Score, decimal Price, float Ratio) row);
}

/// <summary>Rows of the small and unsigned integers, and a field read through IUtf8SpanParsable (a Guid).</summary>
[Pipeline]
public static partial class SmallNumberRows
{
    [Source]
    public static partial Lines<(byte A, sbyte B, short C, ushort D, uint E, ulong F, Guid G)> Rows();

    [Sink]
    public static partial void Output((byte A, sbyte B, short C, ushort D, uint E, ulong F, Guid G) row);
}

/// <summary>Q1-style bids, auction,bidder,price,dateTime, priced in euros and summed per auction.</summary>
[Pipeline]
public static partial class BidTotals
{
    [Source]
    public static partial Lines<(long Auction, long Bidder, long Price, long DateTime)> Bids();

    [Map]
    public static (long Auction, long Euros) InEuros(long auction, long bidder, long price, long dateTime) => (auction, price * 89 / 100);

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Output((long Auction, long Euros) total);
}

/// <summary>
/// A typed source's fields, read in one forward pass by <see cref="Utf8Fields"/>: each reader gives what the previous
/// parse (the field cut at its comma by <see cref="Utf8Parse.TryField"/>, then read by the type's
/// <c>IUtf8SpanParsable</c> parser in the invariant culture) gave, for every field, in every position of a line.
/// </summary>
public class Utf8FieldsTests
{
    private delegate bool Reader<T>(ReadOnlySpan<byte> line, ref int at, bool last, out T value);

    // Fields of every shape an integer field can take: the common form the digit loop reads, and every form it leaves
    // to the type's parser (white space, a '+', leading zeros past the digit limit, each type's edges and one past them,
    // a decimal point, thousands, an exponent, hex, non-ASCII digits, an empty field, a lone sign).
    private static readonly string[] IntegerFields =
    [
        "0", "7", "-0", "-7", "42", "+5", " 7", "7 ", "\t7\r", " -12 ", "12a", "a12", "-", "+", "--1", "", " ",
        "99", "100", "-99", "-100", "127", "128", "-128", "-129", "255", "256", "32767", "32768", "-32768", "-32769",
        "65535", "65536", "999999999", "1000000000", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "999999999999999999", "1000000000000000000", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "9999999999999999999",
        "18446744073709551615", "18446744073709551616", "000000000000000000000000042", "-000000000000000000000000042",
        "1.0", "1e3", "0x10", "1_000", "\u0661\u0662", "1\u00a0",
    ];

    private static readonly string[] FloatFields =
    [
        "0", "1.5", "-1.5", "+2.25", " 3.5 ", "1e3", "1E-2", ".5", "5.", "NaN", "Infinity", "-Infinity", "", "1.2.3",
        "1'000", "abc", "79228162514264337593543950335", "79228162514264337593543950336", "1e400", "0.1",
    ];

    private static readonly string[] TextFields = ["", "a", "hello world", "caf\u00e9", " spaced ", "\u00ff\u00fe"];

    [Fact]
    public void IntegerReaders_GiveWhatTheTypesParserGave_ForEveryFieldInEveryPosition()
    {
        AssertSameAsBefore<long>(Utf8Fields.TryInt64, IntegerFields);
        AssertSameAsBefore<int>(Utf8Fields.TryInt32, IntegerFields);
        AssertSameAsBefore<short>(Utf8Fields.TryInt16, IntegerFields);
        AssertSameAsBefore<sbyte>(Utf8Fields.TrySByte, IntegerFields);
        AssertSameAsBefore<ulong>(Utf8Fields.TryUInt64, IntegerFields);
        AssertSameAsBefore<uint>(Utf8Fields.TryUInt32, IntegerFields);
        AssertSameAsBefore<ushort>(Utf8Fields.TryUInt16, IntegerFields);
        AssertSameAsBefore<byte>(Utf8Fields.TryByte, IntegerFields);
    }

    [Fact]
    public void IntegerReaders_ReadNumbersOfEveryLength_AsTheTypesParserDoes_EightDigitsAtATimeOrOneByOne()
    {
        // Digits read eight at a time where eight bytes are left, the rest one by one: numbers of 1 to 22 digits, signed or
        // not, some with a byte that is no digit (one just below '0', one just above '9', a letter, a space) somewhere in
        // them, each in every position of a line (so at every distance from its end).
        var random = new Random(20261207);
        var fields = new List<string>();
        for (int length = 1; length <= 22; length++)
        {
            for (int trial = 0; trial < 12; trial++)
            {
                var field = new StringBuilder(trial % 3 == 0 ? "-" : "");
                for (int i = 0; i < length; i++)
                {
                    field.Append((char)('0' + random.Next(10)));
                }

                if (trial % 4 == 1)
                {
                    field.Insert(random.Next(field.Length + 1), "/:a "[random.Next(4)]);
                }

                fields.Add(field.ToString());
            }
        }

        string[] all = [.. fields];
        AssertSameAsBefore<long>(Utf8Fields.TryInt64, all);
        AssertSameAsBefore<int>(Utf8Fields.TryInt32, all);
        AssertSameAsBefore<short>(Utf8Fields.TryInt16, all);
        AssertSameAsBefore<ulong>(Utf8Fields.TryUInt64, all);
        AssertSameAsBefore<uint>(Utf8Fields.TryUInt32, all);
        AssertSameAsBefore<byte>(Utf8Fields.TryByte, all);
    }

    [Fact]
    public void FloatingPointAndDecimalReaders_GiveWhatTheTypesParserGave_ForEveryFieldInEveryPosition()
    {
        AssertSameAsBefore<double>(Utf8Fields.TryDouble, FloatFields);
        AssertSameAsBefore<float>(Utf8Fields.TrySingle, FloatFields);
        AssertSameAsBefore<decimal>(Utf8Fields.TryDecimal, FloatFields);
    }

    [Fact]
    public void StringReader_GivesTheFieldDecoded_ForEveryFieldInEveryPosition()
    {
        foreach ((string line, int start, bool last) in Placements(TextFields))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            (bool expectedOk, string expected, int expectedAt) = Before<string>(bytes, start, last);
            int at = start;
            bool ok = Utf8Fields.TryString(bytes, ref at, last, out string value);
            Assert.True(expectedOk == ok, $"'{line}' from {start} (last: {last}): read {ok}, before {expectedOk}");
            if (ok)
            {
                Assert.Equal(expected, value);
                Assert.True(last || at == expectedAt, $"'{line}' from {start}: next field at {at}, before {expectedAt}");
            }
        }
    }

    [Fact]
    public void Readers_IgnoreTheCurrentCulture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            // de-DE writes 1.234,5 for one thousand two hundred and thirty-four and a half, and a non-ASCII minus in
            // some cultures (sv-SE: U+2212): neither may change what a field says.
            foreach (string culture in new[] { "de-DE", "sv-SE", "fr-FR" })
            {
                CultureInfo.CurrentCulture = new CultureInfo(culture);
                byte[] line = "-1234,1.5,2.25,0.125"u8.ToArray();
                int at = 0;
                Assert.True(Utf8Fields.TryInt64(line, ref at, false, out long integer));
                Assert.True(Utf8Fields.TryDouble(line, ref at, false, out double number));
                Assert.True(Utf8Fields.TryDecimal(line, ref at, false, out decimal money));
                Assert.True(Utf8Fields.TrySingle(line, ref at, true, out float ratio));
                Assert.Equal((-1234L, 1.5, 2.25m, 0.125f), (integer, number, money, ratio));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Job_UnderAnotherCulture_ReadsTheSameNumbers()
    {
        const string input = "1,2,a,1.5,2.25,0.5\n-3,4,b,1e3,-0.125,1.25\n";
        string invariant = RunRows(input, CultureInfo.InvariantCulture, out long malformedInvariant);
        string german = RunRows(input, new CultureInfo("de-DE"), out long malformedGerman);
        Assert.Equal("(1,2,a,1.5,2.25,0.5)\n(-3,4,b,1000,-0.125,1.25)\n", invariant);
        Assert.Equal(invariant, german);
        Assert.Equal((0L, 0L), (malformedInvariant, malformedGerman));
    }

    [Fact]
    public void Job_ReadsEachFieldKind_AndCountsTheLinesThatAreNotRecords()
    {
        string input =
            "1,2,name,0.5,1.25,2\n"              // every field in its common form
            + " 7 ,+8,spaced out, 1.5 ,3,-0\r\n"  // spaces and signs, for the types' own parsers; CRLF
            + "9,10,,1,1,1\n"                     // an empty string field is an empty string
            + "11,12,x,1,1\n"                     // too few fields: malformed
            + "13,14,x,1,1,1,1\n"                 // too many fields (the last holds a comma): malformed
            + ",15,x,1,1,1\n"                     // an empty number: malformed
            + "16,,x,1,1,1\n"                     // an empty number in the middle: malformed
            + "17,2147483648,x,1,1,1\n"           // an int that overflows: malformed
            + "9223372036854775807,-2147483648,max,1,1,1\n"
            + "9223372036854775808,0,x,1,1,1\n"   // a long that overflows: malformed
            + "18,19,x,1,1,1.5e\n"                // a bad last field: malformed
            + "20,21,x,1,1,3.5";                  // the last line without its newline
        string output = RunRows(input, CultureInfo.InvariantCulture, out long malformed);
        Assert.Equal(
            "(1,2,name,0.5,1.25,2)\n(7,8,spaced out,1.5,3,-0)\n(9,10,,1,1,1)\n(9223372036854775807,-2147483648,max,1,1,1)\n(20,21,x,1,1,3.5)\n",
            output);
        Assert.Equal(7, malformed);
    }

    [Fact]
    public void Job_ReadsSmallAndUnsignedIntegers_AndGuids_AndCountsTheOutOfRange()
    {
        string input =
            "255,-128,-32768,65535,4294967295,18446744073709551615,00000000-0000-0000-0000-000000000001\n"
            + "0,127,32767,0,0,0,6f9619ff-8b86-d011-b42d-00cf4fc964ff\n"
            + "256,0,0,0,0,0,00000000-0000-0000-0000-000000000001\n"   // a byte that overflows: malformed
            + "0,0,0,0,-1,0,00000000-0000-0000-0000-000000000001\n"    // a negative uint: malformed
            + "0,0,0,0,0,0,not-a-guid\n";                                // malformed
        var sink = new CollectingSink();
        var counters = new SourceCounters();
        using (PipelineJob job = SmallNumberRows.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink])))
        {
            RunBatch(job, Encoding.UTF8.GetBytes(input));
        }

        Assert.Equal(
            "(255,-128,-32768,65535,4294967295,18446744073709551615,00000000-0000-0000-0000-000000000001)\n"
            + "(0,127,32767,0,0,0,6f9619ff-8b86-d011-b42d-00cf4fc964ff)\n",
            sink.Text.ToString());
        Assert.Equal(3, counters.Malformed);
    }

    [Fact]
    public void Job_ParsingIntegerFields_AllocatesNothingPerRecord()
    {
        // 10,000 bids of 100 auctions; one in ten has spaces around its price (read by long's own parser), one in
        // twenty is malformed.
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            text.Append(line % 100).Append(',').Append(line * 7).Append(',')
                .Append(line % 20 == 19 ? "free" : line % 10 == 3 ? $" {line % 1000} " : (line % 1000).ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(1_772_366_400_000L + line).Append('\n');
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = BidTotals.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        long allocated = JobBatches.LeastAllocated(job, buffer, out bool consumedAll, batchesPerRun: 10);

        Assert.True(consumedAll);
        // Two warm-up batches, then four runs of ten (see JobBatches).
        Assert.Equal(42 * 500, counters.Malformed);
        Assert.Equal(42 * 95, sink.Records); // auctions 19, 39, 59, 79 and 99 have only malformed lines
        Assert.True(allocated == 0, $"100,000 lines in 10 batches allocated {allocated} bytes (the least of four runs); parsing integer fields must allocate nothing.");
    }

    // Each field alone (the last field), first of two, between two, and last of three; the field starts at 'start'.
    private static IEnumerable<(string Line, int Start, bool Last)> Placements(string[] fields)
    {
        foreach (string field in fields)
        {
            yield return (field, 0, true);
            yield return (field + ",9", 0, false);
            yield return ("1," + field + ",9", 2, false);
            yield return ("1,2," + field, 4, true);
            yield return ("1234567,-,/" + field, 11, true); // the last, after bytes below '0' in the same eight-byte load
            yield return (field, 0, false);          // a field that is not the last, with no comma after it: too few fields
            yield return (field + ",9", 0, true);   // the last field with a comma in it: too many fields
        }
    }

    private static void AssertSameAsBefore<T>(Reader<T> reader, string[] fields)
        where T : IUtf8SpanParsable<T>
    {
        foreach ((string line, int start, bool last) in Placements(fields))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            (bool expectedOk, T expected, int expectedAt) = Before<T>(bytes, start, last);
            int at = start;
            bool ok = reader(bytes, ref at, last, out T value);
            Assert.True(expectedOk == ok, $"{typeof(T).Name} '{line}' from {start} (last: {last}): read {ok}, before {expectedOk}");
            if (ok)
            {
                Assert.True(EqualityComparer<T>.Default.Equals(expected, value), $"{typeof(T).Name} '{line}' from {start}: {value}, before {expected}");
                Assert.True(last || at == expectedAt, $"{typeof(T).Name} '{line}' from {start}: next field at {at}, before {expectedAt}");
            }
        }
    }

    // What the generated loop did before Utf8Fields: the rest of the line cut at its first comma by Utf8Parse.TryField,
    // then read by the type's IUtf8SpanParsable parser in the invariant culture (string: decoded).
    private static (bool Ok, T Value, int At) Before<T>(byte[] line, int start, bool last)
    {
        ReadOnlySpan<byte> rest = line.AsSpan(start);
        if (!Utf8Parse.TryField(ref rest, last, out ReadOnlySpan<byte> field))
        {
            return (false, default!, 0);
        }

        int at = line.Length - rest.Length;
        object? value = default(T) switch
        {
            _ when typeof(T) == typeof(string) => Encoding.UTF8.GetString(field),
            long => long.TryParse(field, CultureInfo.InvariantCulture, out long v) ? v : null,
            int => int.TryParse(field, CultureInfo.InvariantCulture, out int v) ? v : null,
            short => short.TryParse(field, CultureInfo.InvariantCulture, out short v) ? v : null,
            sbyte => sbyte.TryParse(field, CultureInfo.InvariantCulture, out sbyte v) ? v : null,
            ulong => ulong.TryParse(field, CultureInfo.InvariantCulture, out ulong v) ? v : null,
            uint => uint.TryParse(field, CultureInfo.InvariantCulture, out uint v) ? v : null,
            ushort => ushort.TryParse(field, CultureInfo.InvariantCulture, out ushort v) ? v : null,
            byte => byte.TryParse(field, CultureInfo.InvariantCulture, out byte v) ? v : null,
            double => double.TryParse(field, CultureInfo.InvariantCulture, out double v) ? v : null,
            float => float.TryParse(field, CultureInfo.InvariantCulture, out float v) ? v : null,
            decimal => decimal.TryParse(field, CultureInfo.InvariantCulture, out decimal v) ? v : null,
            _ => throw new ArgumentException($"no reference parse for {typeof(T)}"),
        };
        return value is null ? (false, default!, 0) : (true, (T)value, at);
    }

    private static string RunRows(string input, CultureInfo culture, out long malformed)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            var sink = new CollectingSink();
            var counters = new SourceCounters();
            using (PipelineJob job = NumberRows.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink])))
            {
                RunBatch(job, Encoding.UTF8.GetBytes(input));
            }

            malformed = counters.Malformed;
            return sink.Text.ToString();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private static void RunBatch(PipelineJob job, byte[] input) => Assert.True(JobBatches.Run(job, new ReadOnlySequence<byte>(input)));

    /// <summary>A sink that keeps each record's text, a line each.</summary>
    private sealed class CollectingSink() : Sink(ConnectorUri.Parse("console", "sink"), new SinkContext())
    {
        public StringBuilder Text { get; } = new();

        public override void BeginBatch(long batchTimeMs)
        {
        }

        public override void Write(ReadOnlySpan<byte> record) => Text.Append(Encoding.UTF8.GetString(record)).Append('\n');

        public override ValueTask CommitBatchAsync(CancellationToken cancellationToken) => default;
    }
}
