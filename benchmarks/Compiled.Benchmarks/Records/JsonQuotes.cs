using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compiled.Framing;

namespace Compiled.Benchmarks.Records;

/// <summary>A quote as a JSON event: numbers, a flag and a symbol kept as a slice.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct QuoteEvent
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

/// <summary>What JsonSerializer reads a quote into: the same members, the symbol as a string.</summary>
public sealed class QuoteDto
{
    /// <summary>The quote's id.</summary>
    [JsonPropertyName("id")]
    public long Id { get; set; }

    /// <summary>The symbol.</summary>
    [JsonPropertyName("symbol")]
    public string Symbol { get; set; } = "";

    /// <summary>The price.</summary>
    [JsonPropertyName("price")]
    public double Price { get; set; }

    /// <summary>The quantity.</summary>
    [JsonPropertyName("qty")]
    public long Quantity { get; set; }

    /// <summary>The venue.</summary>
    [JsonPropertyName("venue")]
    public int Venue { get; set; }

    /// <summary>Whether it is a buy.</summary>
    [JsonPropertyName("buy")]
    public bool Buy { get; set; }
}

/// <summary>JsonSerializer's source-generated metadata for <see cref="QuoteDto"/>.</summary>
[JsonSerializable(typeof(QuoteDto))]
internal sealed partial class QuoteJsonContext : JsonSerializerContext;

/// <summary>
/// The same JSON lines read into quotes three ways: by the generated parser behind the line framer (what a
/// <c>Lines&lt;QuoteEvent&gt;</c> source runs), and by <c>JsonSerializer.Deserialize</c> per line, with reflection-built
/// metadata and with source-generated metadata, its symbol string transcoded to UTF-8 into a reused buffer. All return a
/// checksum over every field, which must agree.
/// </summary>
internal static class JsonQuotes
{
    private static readonly JsonSerializerOptions Options = new();

    /// <summary>
    /// <paramref name="rows"/> lines of quotes, their properties in <see cref="QuoteEvent"/>'s declaration order, or with
    /// <paramref name="otherOrder"/> in another one (the same values), which the generated parser reads by its general loop.
    /// </summary>
    public static byte[] Generate(int rows, bool otherOrder = false)
    {
        var random = new Random(11);
        string[] symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "BRK\\\"B", "TSLA", "META"];
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            string id = $"\"id\":{1_000_000_000L + i}";
            string symbol = $"\"symbol\":\"{symbols[random.Next(symbols.Length)]}\"";
            string price = string.Create(CultureInfo.InvariantCulture, $"\"price\":{random.Next(1, 5000)}.{random.Next(100):00}");
            string qty = $"\"qty\":{random.Next(1, 100_000)}";
            string venue = $"\"venue\":{random.Next(16)}";
            string buy = $"\"buy\":{(random.Next(2) == 0 ? "true" : "false")}";
            text.Append(otherOrder ? $"{{{symbol},{buy},{id},{venue},{price},{qty}}}\n" : $"{{{id},{symbol},{price},{qty},{venue},{buy}}}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The generated parser behind the line framer, as a source's fused loop runs it.</summary>
    public static long Generated(byte[] json, JsonRecordReader reader, LineFramer framer)
    {
        framer.Reset("quotes.jsonl");
        reader.BeginStream("quotes.jsonl");
        var loop = new Loop(reader, new Sum());
        framer.Frame(new ReadOnlySequence<byte>(json), isCompleted: true, ref loop);
        return loop.Total.Value;
    }

    /// <summary>
    /// The generated parser behind the line framer, given the mask of the members a pipeline's stages read, as a source's
    /// fused loop passes it (bit i for the i-th member of <see cref="QuoteEvent"/>: id 0, symbol 1, price 2, qty 3, venue 4,
    /// buy 5): the other members' values are scanned, not converted. Returns a checksum over the members read.
    /// </summary>
    public static long GeneratedMembers(byte[] json, JsonRecordReader reader, LineFramer framer, ulong members)
    {
        framer.Reset("quotes.jsonl");
        reader.BeginStream("quotes.jsonl");
        var loop = new MaskedLoop(reader, new Sum(), members);
        framer.Frame(new ReadOnlySequence<byte>(json), isCompleted: true, ref loop);
        return loop.Total.Value;
    }

    /// <summary>JsonSerializer per line, with reflection-built metadata (its default).</summary>
    public static long Serializer(byte[] json, byte[] symbol) => Serialize(json, symbol, sourceGenerated: false);

    /// <summary>JsonSerializer per line, with source-generated metadata.</summary>
    public static long SourceGenerated(byte[] json, byte[] symbol) => Serialize(json, symbol, sourceGenerated: true);

    private static long Serialize(byte[] json, byte[] symbol, bool sourceGenerated)
    {
        long sum = 0;
        ReadOnlySpan<byte> rest = json;
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            QuoteDto quote = (sourceGenerated ? JsonSerializer.Deserialize(line, QuoteJsonContext.Default.QuoteDto) : JsonSerializer.Deserialize<QuoteDto>(line, Options))!;
            int length = Encoding.UTF8.GetBytes(quote.Symbol, symbol);
            sum += CsvQuotes.Checksum(quote.Id, symbol.AsSpan(0, length), quote.Price, quote.Quantity, quote.Venue, quote.Buy);
        }

        return sum;
    }

    private sealed class Sum
    {
        public long Value;
    }

    private readonly struct Loop(JsonRecordReader reader, Sum total) : IRecordConsumer
    {
        public Sum Total => total;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (QuoteEvent.TryReadJson(reader, record, out QuoteEvent quote))
            {
                total.Value += CsvQuotes.Checksum(quote.Id, quote.Symbol.Span, quote.Price, quote.Quantity, quote.Venue, quote.Buy);
            }
        }
    }

    private readonly struct MaskedLoop(JsonRecordReader reader, Sum total, ulong members) : IRecordConsumer
    {
        public Sum Total => total;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (QuoteEvent.TryReadJson(reader, record, members, out QuoteEvent quote))
            {
                total.Value += (long)(quote.Price * 100) + quote.Quantity;
            }
        }
    }
}
