using System.Buffers;
using System.Globalization;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using nietras.SeparatedValues;

namespace Compiled.Benchmarks.Records;

/// <summary>A quote of a CSV export: numbers, a flag and a symbol kept as a slice.</summary>
[Record]
public partial struct Quote
{
    [Column("id")]
    public long Id;

    [Column("symbol")]
    public Utf8Text Symbol;

    [Column("price")]
    public double Price;

    [Column("qty")]
    public long Quantity;

    [Column("venue")]
    public int Venue;

    [Column("buy")]
    public bool Buy;
}

/// <summary>
/// The same CSV bytes read into <see cref="Quote"/>s two ways: by the generated parser behind the line framer (what a
/// <c>Lines&lt;Quote&gt;</c> source runs), and by Sep, its symbol transcoded to UTF-8 into a reused buffer (Sep reads
/// UTF-16), its numbers parsed with Sep's <c>Parse&lt;T&gt;</c>. Both return a checksum over every field, which must agree.
/// </summary>
internal static class CsvQuotes
{
    public static byte[] Generate(int rows)
    {
        var random = new Random(11);
        string[] symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "\"BRK,B\"", "TSLA", "META"];
        var text = new StringBuilder("id,symbol,price,qty,venue,buy\n");
        for (int i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{1_000_000_000L + i},{symbols[random.Next(symbols.Length)]},{random.Next(1, 5000)}.{random.Next(100):00},{random.Next(1, 100_000)},{random.Next(16)},{(random.Next(2) == 0 ? "true" : "false")}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The generated parser behind the line framer, as a source's fused loop runs it.</summary>
    public static long Generated(byte[] csv, CsvRecordReader reader, LineFramer framer)
    {
        framer.Reset("quotes.csv");
        reader.BeginStream("quotes.csv");
        var loop = new Loop(reader, new Sum());
        framer.Frame(new ReadOnlySequence<byte>(csv), isCompleted: true, ref loop);
        return loop.Total.Value;
    }

    /// <summary>Sep into the same fields.</summary>
    public static long Sep(byte[] csv, byte[] symbol)
    {
        long sum = 0;
        using SepReader reader = nietras.SeparatedValues.Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true }).From(csv);
        foreach (SepReader.Row row in reader)
        {
            long id = row[0].Parse<long>();
            int length = Encoding.UTF8.GetBytes(row[1].Span, symbol);
            double price = row[2].Parse<double>();
            long quantity = row[3].Parse<long>();
            int venue = row[4].Parse<int>();
            bool buy = row[5].Parse<bool>();
            sum += Checksum(id, symbol.AsSpan(0, length), price, quantity, venue, buy);
        }

        return sum;
    }

    public static long Checksum(long id, ReadOnlySpan<byte> symbol, double price, long quantity, int venue, bool buy) =>
        id + symbol.Length + symbol[0] + (long)(price * 100) + quantity + venue + (buy ? 1 : 0);

    private sealed class Sum
    {
        public long Value;
    }

    private readonly struct Loop(CsvRecordReader reader, Sum total) : IRecordConsumer
    {
        public Sum Total => total;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (Quote.TryReadCsv(reader, record, out Quote quote))
            {
                total.Value += Checksum(quote.Id, quote.Symbol.Span, quote.Price, quote.Quantity, quote.Venue, quote.Buy);
            }
        }
    }
}
