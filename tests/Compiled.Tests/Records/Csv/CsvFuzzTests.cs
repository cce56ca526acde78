using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Tests.Records.Fuzzing;

namespace Compiled.Tests.Records.Csv;

/// <summary>
/// The generated CSV parsers under random and mutated input (<see cref="FuzzInputs"/>; 100,000 inputs each by default,
/// <c>COMPILED_FUZZ_INPUTS</c> for more): each input is a stream of its own, cut into lines by the real framer. No
/// exception escapes a parser that skips bad records; each input's records are parsed or refused with a reason (the
/// reasons add up to the source's malformed count), and a parsed record's text is valid UTF-8. Under
/// <see cref="BadRecordPolicy.Fail"/>, the only exception is a <see cref="BadRecordException"/> with a reason.
/// </summary>
public class CsvFuzzTests
{
    [Fact]
    public void SampleParser_RandomAndMutatedRows_EveryInputParsedOrRefusedWithAReason()
    {
        var random = new Random(11);
        IEnumerable<byte[]> corpus = Enumerable.Range(0, 500).Select(_ => Encoding.UTF8.GetBytes(SampleRows.Write(SampleRows.Random(random), random)));
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Sample.CsvLayout, "Fuzz", counters);
        FuzzOutcome total = Run(new FuzzInputs(corpus, seed: 12), reader, counters, static (CsvRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = Sample.TryReadCsv(r, line, out Sample value);
            valid = !parsed || (Utf8.IsValid(value.Text.Span) && value.Name is not null);
            return parsed;
        });

        // The mutations leave many rows whole and break many: both outcomes must be common.
        Assert.True(total.Parsed > FuzzInputs.Count / 50, $"only {total.Parsed} of {FuzzInputs.Count} inputs parsed");
        Assert.True(total.Refused > FuzzInputs.Count / 2, $"only {total.Refused} of {FuzzInputs.Count} inputs refused");
    }

    [Fact]
    public void TradeParser_HeaderByName_RandomAndMutatedStreams_EveryInputParsedOrRefusedWithAReason()
    {
        byte[][] corpus =
        [
            "symbol,price,qty,side,time,venue\nMSFT,412.5,100,Buy,2026-01-02T03:04:05Z,3\n"u8.ToArray(),
            "time,side,qty,price,symbol\n2026-01-02T03:04:05Z,sell,7,1e3,\"A,\"\"B\"\"\"\n\"X\nY\",1,2,Buy,2026-12-31T23:59:59.9999999Z\n"u8.ToArray(),
            "\uFEFFsymbol,price,qty,side,time\r\nAAPL,0.0001,-5,BUY,2026-06-01T00:00:00+02:00\r\n\r\nGOOG,1,1,Sell,2026-06-01\r\n"u8.ToArray(),
        ];
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Trade.CsvLayout, "Fuzz", counters);
        Run(new FuzzInputs(corpus, seed: 13), reader, counters, static (CsvRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
        {
            bool parsed = Trade.TryReadCsv(r, line, out Trade value);
            valid = !parsed || Utf8.IsValid(value.Symbol.Span);
            return parsed;
        }, hasHeader: true);
    }

    [Fact]
    public void StrictParser_FailPolicy_OnlyBadRecordExceptionsEscape_EachWithAReason()
    {
        byte[][] corpus = ["1,2\n"u8.ToArray(), "\"3\",\"255\"\n7,0\n"u8.ToArray(), "-2147483648,9\n"u8.ToArray()];
        var inputs = new FuzzInputs(corpus, seed: 14);
        var counters = new SourceCounters();
        var reader = new CsvRecordReader(Strict.CsvLayout, "Fuzz", counters);
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
                var consumer = new Consumer(reader, static (CsvRecordReader r, ReadOnlySpan<byte> line, out bool valid) =>
                {
                    valid = true;
                    return Strict.TryReadCsv(r, line, out _);
                });
                framer.Frame(new ReadOnlySequence<byte>(input), isCompleted: true, ref consumer);
                reader.EndStream();
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

    private delegate bool Parse(CsvRecordReader reader, ReadOnlySpan<byte> line, out bool valid);

    private static FuzzOutcome Run(FuzzInputs inputs, CsvRecordReader reader, SourceCounters counters, Parse parse, bool hasHeader = false)
    {
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
                reader.EndStream();
            }
            catch (Exception e)
            {
                Assert.Fail($"input {i} ({FuzzOutcome.Show(input)}) threw {e}");
            }

            long refused = counters.Malformed - malformed;
            Assert.True(FuzzOutcome.RefusedForAnyReason(reader.Refused) - reasons == refused, $"input {i} ({FuzzOutcome.Show(input)}): {refused} refused, but the reasons count {FuzzOutcome.RefusedForAnyReason(reader.Refused) - reasons}");
            Assert.True(consumer.Invalid == 0, $"input {i} ({FuzzOutcome.Show(input)}): a parsed record holds text that is not valid UTF-8");
            int lines = NonEmptyLines(input);
            Assert.True(consumer.Parsed + refused <= lines, $"input {i} ({FuzzOutcome.Show(input)}): {consumer.Parsed} parsed and {refused} refused from {lines} lines");
            Assert.True(hasHeader || lines == 0 || consumer.Parsed + refused >= 1, $"input {i} ({FuzzOutcome.Show(input)}): {lines} lines, but nothing parsed or refused");
            total.Parsed += consumer.Parsed > 0 ? 1 : 0;
            total.Refused += refused > 0 ? 1 : 0;
        }

        return total;
    }

    // Lines the framer hands on that hold more than a byte order mark: at most one record or refusal each. (Under a
    // header, a header row whose quoted field spans every line of the input yields neither.)
    private static int NonEmptyLines(byte[] input)
    {
        int lines = 0;
        ReadOnlySpan<byte> text = input.AsSpan().StartsWith("\uFEFF"u8) ? input.AsSpan(3) : input;
        foreach (Range range in text.Split((byte)'\n'))
        {
            // The framer drops the '\r' of a "\r\n"; a last line with no '\n' is handed on as it is.
            ReadOnlySpan<byte> line = text[range];
            if (range.End.GetOffset(text.Length) < text.Length && line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            lines += line.IsEmpty ? 0 : 1;
        }

        return lines;
    }

    private struct Consumer(CsvRecordReader reader, Parse parse) : IRecordConsumer
    {
        public int Parsed { get; private set; }

        public int Invalid { get; private set; }

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (parse(reader, record, out bool valid))
            {
                Parsed++;
            }

            Invalid += valid ? 0 : 1;
        }
    }
}
