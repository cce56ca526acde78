using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// A bid of Nexmark's Q1, priced in euro cents: the columns <c>auction,bidder,price,dateTime</c>. Written as CSV
/// (<c>?format=csv</c>, no header row) by its generated writer, which copies the auction, the bidder and the time from the
/// bid's line as they came (the query's map copies them unchanged) and writes only the price from its value; as text,
/// through <see cref="TryFormat"/>, the same columns.
/// </summary>
/// <param name="Auction">The auction's id.</param>
/// <param name="Bidder">The bidder's (a person's) id.</param>
/// <param name="Price">The price, in euro cents.</param>
/// <param name="DateTime">The event time, in Unix milliseconds.</param>
[Record(Header = RecordHeader.None)]
public readonly partial record struct EuroBid(long Auction, long Bidder, long Price, long DateTime) : IUtf8SpanFormattable
{
    /// <summary>Writes <c>auction,bidder,price,dateTime</c>, as a <see cref="Bid"/> writes its columns.</summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        new Bid(Auction, Bidder, Price, DateTime).TryFormat(utf8Destination, out bytesWritten, format, provider);

    /// <inheritdoc />
    public override string ToString() => new Bid(Auction, Bidder, Price, DateTime).ToString();
}
