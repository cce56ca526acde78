using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// The generated writers of <see cref="Quote"/> (<c>WriteCsvRow</c>, <c>WriteJsonObject</c>) next to the same row
/// written by hand with <see cref="Utf8Formatter"/> and the same object written by System.Text.Json's
/// <see cref="Utf8JsonWriter"/>, 10,000 quotes an operation (<c>OperationsPerInvoke</c> makes the mean the time per
/// record). Each writes into a reused buffer, as a sink's writer does. Run with <c>--filter '*RecordWrite*'</c>.
/// </summary>
[MemoryDiagnoser]
public class RecordWriteBenchmarks
{
    private const int Records = 10_000;
    private readonly Quote[] _quotes = new Quote[Records];
    private readonly RecordText _text = new();
    private readonly ArrayBufferWriter<byte> _json = new(256);
    private readonly byte[] _sinkBuffer = new byte[64 * 1024];
    private Utf8JsonWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        string[] symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "BRK,B", "TSLA", "META"];
        for (int i = 0; i < Records; i++)
        {
            _quotes[i] = new Quote
            {
                Id = 1_000_000_000L + i,
                Symbol = new Utf8Text(symbols[random.Next(symbols.Length)]),
                Price = random.Next(1, 5000) + (random.Next(100) / 100.0),
                Quantity = random.Next(1, 100_000),
                Venue = random.Next(16),
                Buy = random.Next(2) == 0,
            };
        }

        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The row written by hand: each field formatted in place, the symbol quoted when it holds a comma.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long HandWrittenCsv()
    {
        long bytes = 0;
        Span<byte> row = stackalloc byte[256];
        foreach (ref readonly Quote quote in _quotes.AsSpan())
        {
            int at = 0;
            Utf8Formatter.TryFormat(quote.Id, row, out int n);
            at += n;
            row[at++] = (byte)',';
            ReadOnlySpan<byte> symbol = quote.Symbol.Span;
            bool quoted = symbol.IndexOf((byte)',') >= 0;
            if (quoted)
            {
                row[at++] = (byte)'"';
            }

            symbol.CopyTo(row[at..]);
            at += symbol.Length;
            if (quoted)
            {
                row[at++] = (byte)'"';
            }

            row[at++] = (byte)',';
            quote.Price.TryFormat(row[at..], out n, default, System.Globalization.CultureInfo.InvariantCulture);
            at += n;
            row[at++] = (byte)',';
            Utf8Formatter.TryFormat(quote.Quantity, row[at..], out n);
            at += n;
            row[at++] = (byte)',';
            Utf8Formatter.TryFormat(quote.Venue, row[at..], out n);
            at += n;
            row[at++] = (byte)',';
            (quote.Buy ? "true"u8 : "false"u8).CopyTo(row[at..]);
            at += quote.Buy ? 4 : 5;
            bytes += at;
        }

        return bytes;
    }

    /// <summary>The generated CSV writer.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long GeneratedCsv()
    {
        long bytes = 0;
        foreach (ref readonly Quote quote in _quotes.AsSpan())
        {
            Quote.WriteCsvRow(_text.Clear(), in quote);
            bytes += _text.Written.Length;
        }

        return bytes;
    }

    /// <summary>
    /// The generated CSV writer and then what a file sink's <c>Write</c> does with the row: copied with its line end into
    /// the sink's 64 KiB buffer, which goes to the file when full (here it starts over). The difference from
    /// <see cref="GeneratedCsv"/> is the cost of rendering into the job's buffer rather than straight into the sink's.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long GeneratedCsvCopiedIntoASinkBuffer()
    {
        long bytes = 0;
        byte[] sink = _sinkBuffer;
        int buffered = 0;
        foreach (ref readonly Quote quote in _quotes.AsSpan())
        {
            Quote.WriteCsvRow(_text.Clear(), in quote);
            ReadOnlySpan<byte> row = _text.Written;
            if (row.Length + 1 > sink.Length - buffered)
            {
                bytes += buffered;
                buffered = 0;
            }

            row.CopyTo(sink.AsSpan(buffered));
            buffered += row.Length;
            sink[buffered++] = (byte)'\n';
        }

        return bytes + buffered;
    }

    /// <summary>The generated JSON writer.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long GeneratedJson()
    {
        long bytes = 0;
        foreach (ref readonly Quote quote in _quotes.AsSpan())
        {
            Quote.WriteJsonObject(_text.Clear(), in quote);
            bytes += _text.Written.Length;
        }

        return bytes;
    }

    /// <summary>The same object through System.Text.Json's <see cref="Utf8JsonWriter"/>, reset per record.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long Utf8JsonWriterObject()
    {
        long bytes = 0;
        foreach (ref readonly Quote quote in _quotes.AsSpan())
        {
            _json.ResetWrittenCount();
            _writer.Reset(_json);
            _writer.WriteStartObject();
            _writer.WriteNumber("id"u8, quote.Id);
            _writer.WriteString("symbol"u8, quote.Symbol.Span);
            _writer.WriteNumber("price"u8, quote.Price);
            _writer.WriteNumber("qty"u8, quote.Quantity);
            _writer.WriteNumber("venue"u8, quote.Venue);
            _writer.WriteBoolean("buy"u8, quote.Buy);
            _writer.WriteEndObject();
            _writer.Flush();
            bytes += _json.WrittenCount;
        }

        return bytes;
    }
}
