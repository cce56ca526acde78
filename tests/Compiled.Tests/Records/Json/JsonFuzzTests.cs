using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Tests.Records.Fuzzing;

namespace Compiled.Tests.Records.Json;

/// <summary>
/// The generated JSON-lines parsers under random and mutated input (<see cref="FuzzInputs"/>; 100,000 inputs each by
/// default, <c>COMPILED_FUZZ_INPUTS</c> for more): each input is a stream of its own, cut into lines by the real framer.
/// No exception escapes a parser that skips bad records; each line that holds more than white space is parsed or
/// refused with a reason, exactly once (the reasons add up to the source's malformed count); a parsed record's text is
/// valid UTF-8; a parsed line is well-formed JSON and a line refused as <see cref="BadRecordReason.InvalidJson"/> is not
/// a well-formed JSON object (<see cref="Utf8JsonReader"/> is the judge). Under <see cref="BadRecordPolicy.Fail"/>, the
/// only exception is a <see cref="BadRecordException"/> with a reason.
/// </summary>
public class JsonFuzzTests
{
    [Fact]
    public void SampleParser_RandomAndMutatedLines_EveryLineParsedOrRefusedWithAReason()
    {
        // Valid lines of every member type: escapes, unicode, numbers at their types' limits, unknown nested members.
        var random = new Random(21);
        var check = new JsonRecordReader(JsonSample.JsonLayout, "Corpus", new SourceCounters());
        var lines = new List<string>();
        while (lines.Count < 400)
        {
            string line = JsonLines.Line(random);
            if (JsonSample.TryReadJson(check, Encoding.UTF8.GetBytes(line), out _))
            {
                lines.Add(line);
            }
        }

        FuzzOutcome total = Run(JsonSample.JsonLayout, Streams(lines, random), seed: 22, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = JsonSample.TryReadJson(r, line, out JsonSample value);
            valid = !parsed || (Utf8.IsValid(value.Text.Span) && value.Name is not null);
            return parsed;
        });

        // The mutations leave many lines whole and break many: both outcomes must be common.
        Assert.True(total.Parsed > FuzzInputs.Count / 50, $"only {total.Parsed} of {FuzzInputs.Count} inputs parsed");
        Assert.True(total.Refused > FuzzInputs.Count / 2, $"only {total.Refused} of {FuzzInputs.Count} inputs refused");
    }

    [Fact]
    public void TradeParser_NestedPathsEscapesAndExtremeNumbers_EveryLineParsedOrRefusedWithAReason()
    {
        string[] lines =
        [
            """{"account":{"desk":{"name":"rates","floor":3},"id":42},"qty":5,"side":"buy","price":1.25,"extra":{"account":{"id":7}},"symbol":"AAPL"}""",
            """{"symbol":"MSFT","price":2,"qty":1,"side":1,"account":{"id":1,"desk":{"name":"fx"}},"account":{"id":2},"venue":3}""",
            """{"symbol":"\u65e5\u672c\"q\\\/","price":79228162514264337593543950335,"qty":-9223372036854775808,"side":"SELL","account":{"id":9223372036854775807},"venue":2147483647}""",
            """ { "symbol" : "𝄞é\ud834\udd1e" , "price" : -0.0000000000000000000000000001 , "qty" : 0 , "side" : 0 , "account" : { "desk" : { "name" : "\t\n" } , "id" : -0 } } """,
            """{"\u0073ymbol":"X","price":1.5E3,"qty":1,"side":"\u0042uy","account":{"id":1,"desk":null},"junk":[[[{"a":[1,{"b":null}]}]]],"venue":-2147483648}""",
            "\t{\"symbol\":\"tab\",\"price\":1e-5,\"qty\":2,\"side\":\"Buy\",\"account\":{\"id\":3}}\t",
        ];
        Run(TradeEvent.JsonLayout, Streams(lines, new Random(23)), seed: 24, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = TradeEvent.TryReadJson(r, line, out TradeEvent value);
            valid = !parsed || (Utf8.IsValid(value.Symbol.Span) && Utf8.IsValid(value.Desk.Span));
            return parsed;
        });
    }

    [Fact]
    public void ParsersGivenAMask_AsAPipelineReadingSomeMembersCallsThem_EveryLineParsedOrRefused_AndOnlyWellFormedObjectsParsed()
    {
        // The mask a pipeline passes when its stages read some members: the others' values are not converted, but the line
        // must still be one well-formed JSON object (Utf8JsonReader judges each line parsed or refused as InvalidJson).
        var random = new Random(31);
        var check = new JsonRecordReader(JsonSample.JsonLayout, "Corpus", new SourceCounters());
        var samples = new List<string>();
        while (samples.Count < 400)
        {
            string line = JsonLines.Line(random);
            if (JsonSample.TryReadJson(check, Encoding.UTF8.GetBytes(line), out _))
            {
                samples.Add(line);
            }
        }

        // Int64, Side and Name (bits 0, 12 and 17): no Utf8Text member, so the line is not copied into the reader's buffer.
        FuzzOutcome total = Run(JsonSample.JsonLayout, Streams(samples, random), seed: 32, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = JsonSample.TryReadJson(r, line, 0x21001UL, out JsonSample value);
            valid = !parsed || (value.Text.Span.IsEmpty && value.Name is not null);
            return parsed;
        });
        Assert.True(total.Parsed > FuzzInputs.Count / 50, $"only {total.Parsed} of {FuzzInputs.Count} inputs parsed");

        // The symbol and the quantity (bits 0 and 2): the desk's object, whose one member is optional, is skipped whole.
        string[] trades =
        [
            """{"account":{"desk":{"name":"rates","floor":3},"id":42},"qty":5,"side":"buy","price":1.25,"extra":{"account":{"id":7}},"symbol":"AAPL"}""",
            """{"symbol":"MSFT","price":2,"qty":1,"side":1,"account":{"id":1,"desk":{"name":"fx"}},"account":{"id":2},"venue":3}""",
            """{"symbol":"X","price":"1","qty":1,"side":{"a":[1]},"account":{"id":"x","desk":[{"name":1}]},"venue":[true,null]}""",
            """ { "symbol" : "𝄞é\ud834\udd1e" , "price" : -0.0000000000000000000000000001 , "qty" : 0 , "side" : 0 , "account" : { "desk" : { "name" : "\t\n" } , "id" : -0 } } """,
        ];
        Run(TradeEvent.JsonLayout, Streams(trades, new Random(33)), seed: 34, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = TradeEvent.TryReadJson(r, line, 0b101UL, out TradeEvent value);
            valid = !parsed || (Utf8.IsValid(value.Symbol.Span) && value.Desk.Span.IsEmpty);
            return parsed;
        });
    }

    [Fact]
    public void OptionsAndTickParsers_FormatsDefaultsAndPositionalMembers_EveryLineParsedOrRefusedWithAReason()
    {
        string[] options =
        [
            """{"t":{"ms":1767225600123}}""",
            """{"t":{"ms":"0","s":1767225600,"local":"31\/12\/2099 23:59"},"side":null,"flag":false,"name":"x\u00e9","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}""",
            """{"t":{"ms":-62135596800000,"s":"253402300799"},"side":"Buy","flag":true,"name":""}""",
        ];
        Run(JsonOptions.JsonLayout, Streams(options, new Random(25)), seed: 26, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = JsonOptions.TryReadJson(r, line, out JsonOptions value);
            valid = !parsed || value.Name is not null;
            return parsed;
        });

        string[] ticks =
        [
            """{"Id":1,"Price":412.5,"Symbol":"MSFT","Size":100}""",
            """{"Size":-2147483648,"Symbol":"\u00e9\u2028","Price":1.7976931348623157e308,"Id":-9223372036854775808}""",
            """{"Id":9223372036854775807,"Price":5e-324,"Symbol":"","Size":0,"Other":{"Id":"x"}}""",
        ];
        Run(JsonTick.JsonLayout, Streams(ticks, new Random(27)), seed: 28, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = JsonTick.TryReadJson(r, line, out JsonTick value);
            valid = !parsed || Utf8.IsValid(value.Symbol.Span);
            return parsed;
        });
    }

    [Fact]
    public void StrictParser_FailPolicy_OnlyBadRecordExceptionsEscape_EachWithAReason()
    {
        byte[][] corpus =
        [
            "{\"id\":1,\"level\":2}\n"u8.ToArray(),
            "\uFEFF{\"level\":255,\"id\":-2147483648}\r\n{\"id\":7,\"level\":0,\"x\":[1]}\n"u8.ToArray(),
            " {\"id\":2147483647,\"level\":\"\"}\n"u8.ToArray(),
        ];
        var inputs = new FuzzInputs(corpus, seed: 29);
        var counters = new SourceCounters();
        var reader = new JsonRecordReader(StrictEvent.JsonLayout, "Fuzz", counters);
        using var framer = new LineFramer(FramingOptions.Default, counters);
        int thrown = 0;
        int count = Math.Max(FuzzInputs.Count / 10, 1_000);
        for (int i = 0; i < count; i++)
        {
            byte[] input = inputs.Next();
            try
            {
                framer.Reset("fuzz");
                reader.BeginStream("fuzz");
                var consumer = new Consumer(reader, static (JsonRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
                {
                    valid = true;
                    return StrictEvent.TryReadJson(r, line, out _);
                });
                framer.Frame(new ReadOnlySequence<byte>(input), isCompleted: true, ref consumer);
            }
            catch (BadRecordException e)
            {
                thrown++;
                Assert.True(Enum.IsDefined(e.Reason) && e.Reason != BadRecordReason.None, $"input {i}: {e.Reason}");
                Assert.Contains("Fuzz", e.Message, StringComparison.Ordinal);
            }
        }

        Assert.True(thrown > count / 10, $"only {thrown} of {count} inputs failed");
        Assert.Equal(0, counters.Malformed);
    }

    // Streams of one to three lines, ending in "\n" or "\r\n" or nothing, some starting with a byte order mark, some
    // lines with white space before or after.
    private static IEnumerable<byte[]> Streams(IReadOnlyList<string> lines, Random random)
    {
        for (int s = 0; s < 500; s++)
        {
            var stream = new StringBuilder(random.Next(10) == 0 ? "\uFEFF" : "");
            for (int l = random.Next(1, 4); l > 0; l--)
            {
                string space = random.Next(8) == 0 ? " \t" : "";
                stream.Append(space).Append(lines[random.Next(lines.Count)]).Append(space);
                stream.Append(random.Next(3) switch { 0 => "\r\n", 1 => "\n", _ => l == 1 ? "" : "\n" });
            }

            yield return Encoding.UTF8.GetBytes(stream.ToString());
        }
    }

    private delegate bool Parse(JsonRecordReader reader, ReadOnlySpan<byte> line, out bool valid);

    private static FuzzOutcome Run(JsonLayout layout, IEnumerable<byte[]> corpus, int seed, Parse parse)
    {
        var inputs = new FuzzInputs(corpus, seed);
        var counters = new SourceCounters();
        var reader = new JsonRecordReader(layout, "Fuzz", counters);
        using var framer = new LineFramer(FramingOptions.Default, counters);
        var total = new FuzzOutcome();
        int count = FuzzInputs.Count;
        for (int i = 0; i < count; i++)
        {
            byte[] input = inputs.Next();
            long malformed = counters.Malformed;
            long reasons = FuzzOutcome.RefusedForAnyReason(reader.Refused);
            var consumer = new Consumer(reader, parse);
            try
            {
                framer.Reset("fuzz");
                reader.BeginStream("fuzz");
                framer.Frame(new ReadOnlySequence<byte>(input), isCompleted: true, ref consumer);
            }
            catch (Exception e)
            {
                // The whole input, for a test of its own.
                string path = Path.Combine(Path.GetTempPath(), $"json-fuzz-{seed}-{i}.jsonl");
                File.WriteAllBytes(path, input);
                Assert.Fail($"input {i} ({FuzzOutcome.Show(input)}, all of it in {path}) threw {e}");
            }

            long refused = counters.Malformed - malformed;
            Assert.True(FuzzOutcome.RefusedForAnyReason(reader.Refused) - reasons == refused, $"input {i} ({FuzzOutcome.Show(input)}): {refused} refused, but the reasons count {FuzzOutcome.RefusedForAnyReason(reader.Refused) - reasons}");
            Assert.True(consumer.Invalid == 0, $"input {i} ({FuzzOutcome.Show(input)}): a parsed record holds text that is not valid UTF-8");
            Assert.True(consumer.Misjudged is null, $"input {i} ({FuzzOutcome.Show(input)}): {consumer.Misjudged}");
            int lines = NonBlankLines(input);
            Assert.True(consumer.Parsed + refused == lines, $"input {i} ({FuzzOutcome.Show(input)}): {consumer.Parsed} parsed and {refused} refused from {lines} lines");
            total.Parsed += consumer.Parsed > 0 ? 1 : 0;
            total.Refused += refused > 0 ? 1 : 0;
        }

        return total;
    }

    // Lines the framer hands on that hold more than white space (and, on the first line, a byte order mark): one record
    // or refusal each.
    private static int NonBlankLines(byte[] input)
    {
        int lines = 0;
        ReadOnlySpan<byte> text = input;
        bool first = true;
        foreach (Range range in text.Split((byte)'\n'))
        {
            ReadOnlySpan<byte> line = Trim(text[range], first);
            first = false;
            lines += line.IsEmpty ? 0 : 1;
        }

        return lines;
    }

    // The line without the byte order mark at the start of a stream and the white space around it.
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line, bool first)
    {
        if (first && line.StartsWith("\uFEFF"u8))
        {
            line = line[3..];
        }

        return line.Trim(" \t\r\n"u8);
    }

    // Whether the line is one well-formed JSON value, as Utf8JsonReader reads it with its default options, and an object.
    private static (bool WellFormed, bool IsObject) Judge(ReadOnlySpan<byte> line)
    {
        var json = new Utf8JsonReader(line);
        try
        {
            if (!json.Read())
            {
                return (false, false);
            }

            bool isObject = json.TokenType == JsonTokenType.StartObject;
            json.Skip();
            return (!json.Read(), isObject);
        }
        catch (JsonException)
        {
            return (false, false);
        }
    }

    private struct Consumer(JsonRecordReader reader, Parse parse) : IRecordConsumer
    {
        private bool _first = true;

        public int Parsed { get; private set; }

        public int Invalid { get; private set; }

        public string? Misjudged { get; private set; }

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            long invalidJson = reader.Refused(BadRecordReason.InvalidJson);
            bool parsed = parse(reader, record, out bool valid);
            Parsed += parsed ? 1 : 0;
            Invalid += valid ? 0 : 1;

            // Utf8JsonReader judges the line's JSON: a parsed line must be a well-formed object, and a line refused as
            // InvalidJson must not be one.
            (bool wellFormed, bool isObject) = Judge(Trim(record, _first));
            _first = false;
            if (parsed && !(wellFormed && isObject))
            {
                Misjudged ??= $"the line {Convert.ToHexString(record)} was parsed, but it is not a well-formed JSON object";
            }
            else if (reader.Refused(BadRecordReason.InvalidJson) > invalidJson && wellFormed && isObject)
            {
                Misjudged ??= $"the line {Convert.ToHexString(record)} was refused as InvalidJson, but it is a well-formed JSON object";
            }
        }
    }
}
