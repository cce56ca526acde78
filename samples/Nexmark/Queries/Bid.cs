using Compiled;
using System.Diagnostics.CodeAnalysis;

namespace Samples.Nexmark.Queries;

/// <summary>
/// A bid, read from its CSV line <c>auction,bidder,price,channel,url,dateTime</c> by span parsing (no string, no
/// allocation): the fields the queries use. The channel and the URL are checked to be there and skipped. It prints as
/// <c>auction,bidder,price,dateTime</c>, the columns of Nexmark's Q0 and Q1.
/// </summary>
/// <param name="Auction">The auction's id.</param>
/// <param name="Bidder">The bidder's (a person's) id.</param>
/// <param name="Price">The price, in cents.</param>
/// <param name="DateTime">The event time, in Unix milliseconds.</param>
public readonly record struct Bid(long Auction, long Bidder, long Price, long DateTime) : IUtf8SpanParsable<Bid>, IUtf8SpanFormattable
{
    /// <summary>
    /// Parses a bid's line; a line that is not one is counted as malformed by the source and skipped. Each field is read
    /// in place by <see cref="Utf8Fields"/>, in one pass over the line: a number's digits and the comma after them are
    /// read together, and the channel and the URL are only cut.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, [MaybeNullWhen(false)] out Bid result)
    {
        int at = 0;
        if (!Utf8Fields.TryInt64(utf8Text, ref at, false, out long auction)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long bidder)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long price)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryInt64(utf8Text, ref at, true, out long dateTime))
        {
            result = default;
            return false;
        }

        result = new Bid(auction, bidder, price, dateTime);
        return true;
    }

    /// <summary>Parses a bid's line, or throws a <see cref="FormatException"/> that shows it.</summary>
    public static Bid Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider) =>
        TryParse(utf8Text, provider, out Bid bid)
            ? bid
            : throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(utf8Text)}' is not a bid; write auction,bidder,price,channel,url,dateTime with whole numbers for all but the channel and the URL.");

    /// <summary>Writes <c>auction,bidder,price,dateTime</c>.</summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        System.Text.Unicode.Utf8.TryWrite(utf8Destination, System.Globalization.CultureInfo.InvariantCulture, $"{Auction},{Bidder},{Price},{DateTime}", out bytesWritten);

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Auction},{Bidder},{Price},{DateTime}");
}
