using Compiled;

namespace Samples.Nexmark.Queries;

/// <summary>
/// A bid, read from its CSV line <c>auction,bidder,price,channel,url,dateTime</c>: the four numbers the queries use (the
/// channel and the URL are columns 3 and 4, which no member reads). Its CSV parser is generated (<c>[Record]</c>), and a
/// query's source parses only the members the query's stages read: Q2, which reads the auction and the price, skips the
/// bidder and the time. Every bid is one line (<c>MultiLine = false</c>) and the file has no header, so a bid file is
/// split into ranges at line ends and read on every core. A line is checked only in the columns a query reads
/// (<c>CheckUnreadColumns = false</c>, as Spark's CSV column pruning does): its end is found without counting its
/// fields, and Q2 parses no byte of a line past its price (past its auction where its filter drops the bid). It prints
/// as <c>auction,bidder,price,dateTime</c>, the columns of Nexmark's Q0 and Q1.
/// </summary>
/// <param name="Auction">The auction's id.</param>
/// <param name="Bidder">The bidder's (a person's) id.</param>
/// <param name="Price">The price, in cents.</param>
/// <param name="DateTime">The event time, in Unix milliseconds.</param>
[Record(Header = RecordHeader.None, MultiLine = false, CheckUnreadColumns = false)]
public readonly partial record struct Bid(long Auction, long Bidder, long Price, [property: Column(Index = 5)] long DateTime) : IUtf8SpanFormattable
{
    /// <summary>
    /// Writes <c>auction,bidder,price,dateTime</c>: each number in the invariant culture, a comma after each but the last
    /// (through <see cref="Utf8Format"/>, which writes the text <c>long.TryFormat</c> does, with no loop over the digits).
    /// </summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        bytesWritten = 0;
        return TryAppend(utf8Destination, ref bytesWritten, Auction, true)
            && TryAppend(utf8Destination, ref bytesWritten, Bidder, true)
            && TryAppend(utf8Destination, ref bytesWritten, Price, true)
            && TryAppend(utf8Destination, ref bytesWritten, DateTime, false);
    }

    // Appends a number, and a comma after it unless it is the last.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool TryAppend(Span<byte> destination, ref int written, long value, bool comma)
    {
        if (!Utf8Format.TryFormat(value, destination[written..], out int digits))
        {
            return false;
        }

        written += digits;
        if (comma)
        {
            if (written == destination.Length)
            {
                return false;
            }

            destination[written++] = (byte)',';
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Auction},{Bidder},{Price},{DateTime}");
}
