using System.Text;
using Compiled.Connectors;
using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Json;

/// <summary>The generated JSON parser line by line: nested paths, formats and defaults, each refusal under its reason, the Fail policy.</summary>
public class JsonRecordReaderTests
{
    private static bool Read<T>(JsonRead<T> read, JsonRecordReader reader, string line, out T value) => read(reader, Encoding.UTF8.GetBytes(line), out value);

    private delegate bool JsonRead<T>(JsonRecordReader reader, ReadOnlySpan<byte> line, out T value);

    [Fact]
    public void DeclaredBadRecordPolicy_IsTheLayouts_DeadLetterToo()
    {
        // The policy a JSON record declares reaches its layout as a CSV record's does: DeadLetter was read as Skip.
        Assert.Equal(BadRecordPolicy.DeadLetter, KeptEvent.JsonLayout.OnBadRecord);
        Assert.Equal(BadRecordPolicy.Fail, StrictEvent.JsonLayout.OnBadRecord);
        Assert.Equal(BadRecordPolicy.Skip, JsonTick.JsonLayout.OnBadRecord);
    }

    [Fact]
    public void NestedPaths_ReadFromTheirObjects_InAnyOrder_TheLastObjectWinning()
    {
        var reader = new JsonRecordReader(TradeEvent.JsonLayout, "Trades", new SourceCounters());
        Assert.True(Read(TradeEvent.TryReadJson, reader,
            """{"account":{"desk":{"name":"rates","floor":3},"id":42},"qty":5,"side":"buy","price":1.25,"extra":{"account":{"id":7}},"symbol":"AAPL"}""",
            out TradeEvent trade));
        Assert.Equal(("AAPL", 1.25m, 5L, Side.Buy, 42L, "rates", 0), (trade.Symbol.ToString(), trade.Price, trade.Quantity, trade.Side, trade.Account, trade.Desk.ToString(), trade.Venue));

        // A second "account" replaces the first: its desk is missing, so the desk takes its default.
        Assert.True(Read(TradeEvent.TryReadJson, reader,
            """{"symbol":"MSFT","price":2,"qty":1,"side":1,"account":{"id":1,"desk":{"name":"fx"}},"account":{"id":2},"venue":3}""", out trade));
        Assert.Equal(("MSFT", Side.Sell, 2L, "none", 3), (trade.Symbol.ToString(), trade.Side, trade.Account, trade.Desk.ToString(), trade.Venue));

        // "account": null leaves its members missing; the account id has no default.
        Assert.False(Read(TradeEvent.TryReadJson, reader, """{"symbol":"X","price":2,"qty":1,"side":1,"account":null}""", out TradeEvent _));
        Assert.Equal(1, reader.Refused(BadRecordReason.MissingColumn));

        // "account" that is not an object is a value of the wrong kind.
        Assert.False(Read(TradeEvent.TryReadJson, reader, """{"symbol":"X","price":2,"qty":1,"side":1,"account":[1]}""", out TradeEvent _));
        Assert.Equal(1, reader.Refused(BadRecordReason.InvalidValue));
    }

    [Fact]
    public void LinesInAnotherFixedOrder_TheReaderLearnsTheOrder_AndAChangeOfOrderIsReadToo()
    {
        // JsonTick declares Id, Price, Symbol, Size; this producer writes Size, Symbol, Id, Price.
        var reader = new JsonRecordReader(JsonTick.JsonLayout, "Ticks", new SourceCounters());
        Assert.Equal([0, 1, 2, 3, 4], reader.PropertyOrder.ToArray());
        for (int i = 0; i < 3; i++)
        {
            Assert.True(Read(JsonTick.TryReadJson, reader, $$"""{"Size":{{i}},"Symbol":"S{{i}}","Id":{{100 + i}},"Price":{{i}}.5}""", out JsonTick tick));
            Assert.Equal((100L + i, i + 0.5, "S" + i, i), (tick.Id, tick.Price, tick.Symbol.ToString(), tick.Size));
        }

        // At [k + 1] the property that followed property k (at [0] the first): Size (3) first, Price (1) after Id (0), Symbol
        // (2) after Size (3), Id (0) after Symbol (2); after Price, the last, [2] keeps its first value.
        Assert.Equal([3, 1, 2, 0, 2], reader.PropertyOrder.ToArray());

        // Another order, an unknown property and a repeated one in the middle: read right, and that order learned.
        Assert.True(Read(JsonTick.TryReadJson, reader, """{"Price":1,"x":true,"Id":7,"Size":1,"Size":2,"Symbol":"B"}""", out JsonTick other));
        Assert.Equal((7L, 1.0, "B", 2), (other.Id, other.Price, other.Symbol.ToString(), other.Size));
        Assert.Equal([1, 3, 0, 0, 2], reader.PropertyOrder.ToArray());

        // Declaration order is still read, and a missing property still refused.
        Assert.True(Read(JsonTick.TryReadJson, reader, """{"Id":1,"Price":2,"Symbol":"C","Size":3}""", out JsonTick declared));
        Assert.Equal((1L, 2.0, "C", 3), (declared.Id, declared.Price, declared.Symbol.ToString(), declared.Size));
        Assert.False(Read(JsonTick.TryReadJson, reader, """{"Size":1,"Symbol":"S","Id":1}""", out JsonTick _));
        Assert.Equal(1, reader.Refused(BadRecordReason.MissingColumn));
    }

    [Fact]
    public void FormatsAndDefaults_ReadAsDeclared()
    {
        var reader = new JsonRecordReader(JsonOptions.JsonLayout, "Options", new SourceCounters());
        Assert.True(Read(JsonOptions.TryReadJson, reader, """{"t":{"ms":1767225600123}}""", out JsonOptions options));
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, 123, DateTimeKind.Utc), options.Millis);
        Assert.Equal(DateTimeOffset.UnixEpoch, options.Seconds);
        Assert.Equal(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), options.Local);
        Assert.Equal((Side.Sell, true, "n/a", Guid.Parse("00000000-0000-0000-0000-000000000001")), (options.Side, options.Flag, options.Name, options.Id));

        // A unix time may be written as a number or a string of digits; an exact format reads an (escaped) string; null is the default.
        Assert.True(Read(JsonOptions.TryReadJson, reader,
            """{"t":{"ms":"0","s":1767225600,"local":"31\/12\/2099 23:59"},"side":null,"flag":false,"name":"x\u00e9"}""", out options));
        Assert.Equal(DateTime.UnixEpoch, options.Millis);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), options.Seconds);
        Assert.Equal(new DateTime(2099, 12, 31, 23, 59, 0, DateTimeKind.Utc), options.Local);
        Assert.Equal((Side.Sell, false, "xé"), (options.Side, options.Flag, options.Name));
    }

    [Theory]
    [InlineData("""{"Int64":"1"}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Int64":1.5}""", BadRecordReason.NumberInvalid)]
    [InlineData("""{"Int64":1e3}""", BadRecordReason.NumberInvalid)]
    [InlineData("""{"Int64":9223372036854775808}""", BadRecordReason.NumberOutOfRange)]
    [InlineData("""{"Byte":256}""", BadRecordReason.NumberOutOfRange)]
    [InlineData("""{"Decimal":1e40}""", BadRecordReason.NumberOutOfRange)]
    [InlineData("""{"Boolean":"true"}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Side":"Hold"}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Side":2}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Time":"2026-13-01T00:00:00Z"}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Id":"xyz"}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Text":"\ud800"}""", BadRecordReason.InvalidUtf8)]
    [InlineData("""{"Text":5}""", BadRecordReason.InvalidValue)]
    [InlineData("""{"Time":"2026-03-01T00:00:00\udd1e"}""", BadRecordReason.InvalidUtf8)]
    [InlineData("""{"Offset":"2026-03-01T00:00:00+01:00\ud800"}""", BadRecordReason.InvalidUtf8)]
    [InlineData("""{"Id":"0f8fad5b-d9cb-469f-a165-70867728950\ud800"}""", BadRecordReason.InvalidUtf8)]
    [InlineData("""{"Name":null}""", BadRecordReason.MissingColumn)]
    [InlineData("""{"Other":1}""", BadRecordReason.MissingColumn)]
    [InlineData("""{"Int64":1""", BadRecordReason.InvalidJson)]
    [InlineData("""{"Int64":1} {}""", BadRecordReason.InvalidJson)]
    [InlineData("""[{"Int64":1}]""", BadRecordReason.InvalidJson)]
    [InlineData("""null""", BadRecordReason.InvalidJson)]
    [InlineData("""{"Int64":1,}""", BadRecordReason.InvalidJson)]
    public void ABadLine_IsCountedUnderItsReason(string properties, BadRecordReason reason)
    {
        // The line's members replace those of a good line (or, when it is not an object, it is the line).
        string line = properties.StartsWith("{\"", StringComparison.Ordinal) && properties.EndsWith('}') && !properties.Contains("} {", StringComparison.Ordinal) && !properties.EndsWith(",}", StringComparison.Ordinal)
            ? Good[..^1] + "," + properties[1..]
            : properties;
        if (properties.Contains("\"Other\"", StringComparison.Ordinal))
        {
            line = """{"Other":1}""";
        }

        var counters = new SourceCounters();
        var reader = new JsonRecordReader(JsonSample.JsonLayout, "Samples", counters);
        Assert.True(Read(JsonSample.TryReadJson, reader, Good, out JsonSample _));
        Assert.False(Read(JsonSample.TryReadJson, reader, line, out JsonSample _));
        Assert.Equal(1, counters.Malformed);
        Assert.Equal(1, reader.Refused(reason));
    }

    [Fact]
    public void EmptyLines_AreSkippedWithoutACount_AndLinesAreNumberedPerStream()
    {
        var counters = new SourceCounters();
        var reader = new JsonRecordReader(StrictEvent.JsonLayout, "Events", counters);
        reader.BeginStream("a.jsonl");
        Assert.True(Read(StrictEvent.TryReadJson, reader, "\uFEFF{\"id\":1,\"level\":2}", out StrictEvent first));
        Assert.Equal((1, (byte)2), (first.Id, first.Level));
        Assert.False(Read(StrictEvent.TryReadJson, reader, "", out StrictEvent _));
        Assert.False(Read(StrictEvent.TryReadJson, reader, " \t ", out StrictEvent _));
        Assert.Equal(0, counters.Malformed);

        // Under Fail, a bad line stops the job, naming the source, stream, line, member and value.
        var exception = Assert.Throws<BadRecordException>(() => Read(StrictEvent.TryReadJson, reader, """{"id":1,"level":300}""", out StrictEvent _));
        Assert.Equal(("a.jsonl", 4L, "Level", BadRecordReason.NumberOutOfRange), (exception.Stream, exception.Line, exception.Field, exception.Reason));
        Assert.Equal(
            "Source Events read a bad record at line 4 of a.jsonl, field Level: NumberOutOfRange: '300' at \"level\" cannot be read as the Level of a StrictEvent. "
            + "Fix the input, or give the source URI onBadRecord=skip (or declare [Source(OnBadRecord = BadRecordPolicy.Skip)]) to count and skip such records; dead-letter (BadRecordPolicy.DeadLetter) keeps them in the dead-letter file too.",
            exception.Message);

        // A first line of only a byte order mark and white space is an empty line; white space around an object is not the record's.
        reader.BeginStream("c.jsonl");
        Assert.False(Read(StrictEvent.TryReadJson, reader, "\uFEFF \t", out StrictEvent _));
        Assert.True(Read(StrictEvent.TryReadJson, reader, " \t{\"id\":3,\"level\":4} \t", out StrictEvent spaced));
        Assert.Equal((3, (byte)4), (spaced.Id, spaced.Level));
        Assert.Equal(0, counters.Malformed);

        reader.BeginStream("b.jsonl");
        exception = Assert.Throws<BadRecordException>(() => Read(StrictEvent.TryReadJson, reader, """{"id":1,"level":""", out StrictEvent _));
        Assert.Equal(("b.jsonl", 1L, null, BadRecordReason.InvalidJson), (exception.Stream, exception.Line, exception.Field, exception.Reason));
    }

    [Fact]
    public void EscapedNamesAndValues_LongerThanTheScratchBuffer_AreUnescapedWhole()
    {
        // A name or an enum value with an escape is unescaped into a scratch buffer, which grows to hold it.
        string padding = new('a', 200);
        var reader = new JsonRecordReader(JsonOptions.JsonLayout, "Options", new SourceCounters());
        Assert.True(Read(JsonOptions.TryReadJson, reader, $$"""{"\u0078{{padding}}":1,"t":{"ms":0,"local":"31\/12\/2099 23:59"},"name":"\u0041{{padding}}"}""", out JsonOptions options));
        Assert.Equal(("A" + padding, new DateTime(2099, 12, 31, 23, 59, 0, DateTimeKind.Utc)), (options.Name, options.Local));
        Assert.False(Read(JsonOptions.TryReadJson, reader, $$"""{"t":{"ms":0},"side":"\u0062uy{{padding}}"}""", out JsonOptions _));
        Assert.Equal(1, reader.Refused(BadRecordReason.InvalidValue));
    }

    [Fact]
    public void AMaskOfMembers_ConvertsOnlyThose_AndReadsThemAsTheWholeReadDoes_OverRandomLines()
    {
        // Random lines of JsonSample (good, with bad, missing or null members, unknown and repeated properties, broken JSON),
        // each read whole and with a random mask of its 18 members. Where the whole read takes a line, the masked read takes
        // it too, with the same value for each member in the mask and the default for each other; JSON the whole read finds
        // malformed, the masked read refuses as malformed too; and a value refused by the masked read is refused by the whole.
        var random = new Random(29);
        var whole = new JsonRecordReader(JsonSample.JsonLayout, "Samples", new SourceCounters());
        var masked = new JsonRecordReader(JsonSample.JsonLayout, "Samples", new SourceCounters());
        object[] defaults = Members(default);
        int taken = 0, takenOnlyMasked = 0;
        for (int n = 0; n < 20_000; n++)
        {
            string line = JsonLines.Line(random);
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            ulong mask = (ulong)random.NextInt64() & ((1UL << 18) - 1);
            long[] wholeBefore = Reasons(whole), maskedBefore = Reasons(masked);
            bool wholeRead = JsonSample.TryReadJson(whole, bytes, out JsonSample all);
            object[] allMembers = wholeRead ? Members(all) : defaults;
            bool maskedRead = JsonSample.TryReadJson(masked, bytes, mask, out JsonSample some);
            object[] someMembers = maskedRead ? Members(some) : defaults;
            BadRecordReason? wholeReason = Difference(wholeBefore, Reasons(whole)), maskedReason = Difference(maskedBefore, Reasons(masked));

            if (wholeRead)
            {
                taken++;
                Assert.True(maskedRead, $"A line read whole was refused ({maskedReason}) with the mask 0x{mask:X}: {line}");
                for (int i = 0; i < 18; i++)
                {
                    Assert.Equal((mask & (1UL << i)) != 0 ? allMembers[i] : defaults[i], someMembers[i]);
                }
            }
            else if (wholeReason == BadRecordReason.InvalidJson)
            {
                Assert.Equal(BadRecordReason.InvalidJson, maskedReason);
            }
            else if (maskedRead)
            {
                takenOnlyMasked++;
            }

            if (!maskedRead && maskedReason is not (BadRecordReason.InvalidJson or BadRecordReason.MissingColumn or null))
            {
                Assert.False(wholeRead, $"The masked read refused a value ({maskedReason}) the whole read took: {line}");
            }
        }

        // Most lines are good; some are taken only because their fault is in a member the mask leaves out.
        Assert.InRange(taken, 14_000, 19_000);
        Assert.InRange(takenOnlyMasked, 100, 5_000);
    }

    [Fact]
    public void AMemberNoStageReads_ItsValueIsNotConverted_ButTheLineMustBeJson_AndARequiredMemberMustBeThere()
    {
        // TradeEvent: symbol 0, price 1, qty 2, side 3, account.id 4 (required), account.desk.name 5 (default), venue 6
        // (default). The mask reads the symbol and the quantity only.
        const ulong SymbolAndQuantity = 0b101;
        var reader = new JsonRecordReader(TradeEvent.JsonLayout, "Trades", new SourceCounters());
        bool ReadLine(string line, out TradeEvent trade) => TradeEvent.TryReadJson(reader, Encoding.UTF8.GetBytes(line), SymbolAndQuantity, out trade);

        // Values of the wrong kind in members the mask leaves out, an object or an array among them: read, those left default.
        Assert.True(ReadLine("""{"symbol":"AAPL","price":"1x","qty":5,"side":{"a":[1,{}]},"account":{"id":"seven","desk":{"name":7}},"venue":[1]}""", out TradeEvent trade));
        Assert.Equal(("AAPL", 0m, 5L, Side.Buy, 0L, "", 0), (trade.Symbol.ToString(), trade.Price, trade.Quantity, trade.Side, trade.Account, trade.Desk.ToString(), trade.Venue));

        // The same in declaration order (the parser's one pass) and with the account first (its general loop).
        Assert.True(ReadLine("""{"symbol":"MSFT","price":true,"qty":7,"side":"Hold","account":{"id":1.5},"venue":"x"}""", out trade));
        Assert.Equal(("MSFT", 7L), (trade.Symbol.ToString(), trade.Quantity));
        Assert.True(ReadLine("""{"account":{"desk":"rates","id":-1e3},"venue":null,"qty":9,"symbol":"\u0049BM","side":2,"price":""}""", out trade));
        Assert.Equal(("IBM", 9L), (trade.Symbol.ToString(), trade.Quantity));

        // Text that is not valid UTF-8, and numbers out of their type's range, where no stage reads them: not converted, so read.
        byte[] invalidUtf8 = [.. """{"symbol":"AAPL","price":1e999,"qty":3,"side":"Buy","account":{"id":99999999999999999999,"desk":{"name":"a"""u8, 0xFF, .. "\"}}}"u8];
        Assert.True(TradeEvent.TryReadJson(reader, invalidUtf8, SymbolAndQuantity, out trade));
        Assert.Equal(("AAPL", 3L, ""), (trade.Symbol.ToString(), trade.Quantity, trade.Desk.ToString()));
        Assert.False(TradeEvent.TryReadJson(new JsonRecordReader(TradeEvent.JsonLayout, "Trades", new SourceCounters()), invalidUtf8, out _));

        // A member the mask reads is still refused for a bad value.
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1,"qty":"5","side":"Buy","account":{"id":1}}""", out _));
        Assert.Equal(1, reader.Refused(BadRecordReason.InvalidValue));

        // A required member the mask leaves out must be there, and not null: the account's id, the price, the side.
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1,"qty":5,"side":"Buy"}""", out _));
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1,"qty":5,"side":"Buy","account":{"desk":{"name":"fx"}}}""", out _));
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1,"qty":5,"side":"Buy","account":{"id":null}}""", out _));
        Assert.False(ReadLine("""{"symbol":"AAPL","price":null,"qty":5,"side":"Buy","account":{"id":1}}""", out _));
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1,"qty":5,"account":{"id":1}}""", out _));
        Assert.Equal(5, reader.Refused(BadRecordReason.MissingColumn));

        // Malformed JSON in a member the mask leaves out is malformed all the same, in the one pass and in the general loop.
        Assert.False(ReadLine("""{"symbol":"AAPL","price":1x,"qty":5,"side":"Buy","account":{"id":1}}""", out _));
        Assert.False(ReadLine("""{"account":{"id":1,"desk":{"name":"a\x"}},"symbol":"AAPL","price":1,"qty":5,"side":"Buy"}""", out _));
        Assert.False(ReadLine("""{"venue":[1,],"symbol":"AAPL","price":1,"qty":5,"side":"Buy","account":{"id":1}}""", out _));
        Assert.Equal(3, reader.Refused(BadRecordReason.InvalidJson));
    }

    // JsonSample's members in declaration order (bit i of a mask is member i), text as strings.
    private static object[] Members(JsonSample s) =>
        [s.Int64, s.Int32, s.Int16, s.SByte, s.UInt64, s.UInt32, s.UInt16, s.Byte, s.Double, s.Single, s.Decimal, s.Boolean, s.Side, s.Time, s.Offset, s.Id, s.Text.ToString(), s.Name];

    private static long[] Reasons(JsonRecordReader reader) => [.. Enum.GetValues<BadRecordReason>().Select(reader.Refused)];

    // The reason a reader counted one more refusal under between two snapshots of its totals, or null for none.
    private static BadRecordReason? Difference(long[] before, long[] after)
    {
        BadRecordReason[] reasons = Enum.GetValues<BadRecordReason>();
        for (int i = 0; i < reasons.Length; i++)
        {
            if (after[i] != before[i])
            {
                return reasons[i];
            }
        }

        return null;
    }

    private const string Good =
        """{"Int64":1,"Int32":2,"Int16":3,"SByte":4,"UInt64":5,"UInt32":6,"UInt16":7,"Byte":8,"Double":9.5,"Single":10.25,"Decimal":11.125,"Boolean":true,"Side":"Buy","Time":"2026-03-01T00:00:00Z","Offset":"2026-03-01T00:00:00+01:00","Id":"0f8fad5b-d9cb-469f-a165-70867728950e","Text":"t","Name":"n"}""";
}
