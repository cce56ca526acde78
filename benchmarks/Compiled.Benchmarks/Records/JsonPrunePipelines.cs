namespace Compiled.Benchmarks.Records;

/// <summary>Quotes from JSON lines, every member of each folded into one checksum per batch: its source reads every member.</summary>
[Pipeline]
public static partial class QuoteChecksumAllMembers
{
    /// <summary>The quotes.</summary>
    [Source]
    public static partial Lines<QuoteEvent> Quotes();

    /// <summary>Every member of the quote, folded.</summary>
    [Map]
    public static long Fold(QuoteEvent quote) => CsvQuotes.Checksum(quote.Id, quote.Symbol.Span, quote.Price, quote.Quantity, quote.Venue, quote.Buy);

    /// <summary>The batch's checksum.</summary>
    [Reduce]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The checksum, once per batch.</summary>
    [Sink]
    public static partial void Output(long checksum);
}

/// <summary>The same quotes, only the price and the quantity folded: its source converts those two members alone.</summary>
[Pipeline]
public static partial class QuoteChecksumTwoMembers
{
    /// <summary>The quotes.</summary>
    [Source]
    public static partial Lines<QuoteEvent> Quotes();

    /// <summary>The price and the quantity, folded.</summary>
    [Map]
    public static long Fold(QuoteEvent quote) => (long)(quote.Price * 100) + quote.Quantity;

    /// <summary>The batch's checksum.</summary>
    [Reduce]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The checksum, once per batch.</summary>
    [Sink]
    public static partial void Output(long checksum);
}
