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

    private const string Good =
        """{"Int64":1,"Int32":2,"Int16":3,"SByte":4,"UInt64":5,"UInt32":6,"UInt16":7,"Byte":8,"Double":9.5,"Single":10.25,"Decimal":11.125,"Boolean":true,"Side":"Buy","Time":"2026-03-01T00:00:00Z","Offset":"2026-03-01T00:00:00+01:00","Id":"0f8fad5b-d9cb-469f-a165-70867728950e","Text":"t","Name":"n"}""";
}
