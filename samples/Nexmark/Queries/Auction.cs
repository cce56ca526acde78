using Compiled;
using System.Diagnostics.CodeAnalysis;

namespace Samples.Nexmark.Queries;

/// <summary>
/// An auction, read from its CSV line <c>id,itemName,description,initialBid,reserve,dateTime,expires,seller,category</c>
/// by span parsing (no string, no allocation): the fields the queries use. The item's name, its description and the
/// initial bid are checked to be there and skipped.
/// </summary>
/// <param name="Id">The auction's id.</param>
/// <param name="Reserve">The reserve price, in cents.</param>
/// <param name="DateTime">The event time the auction opens at, in Unix milliseconds.</param>
/// <param name="Expires">The event time the auction closes at, in Unix milliseconds.</param>
/// <param name="Seller">The seller's (a person's) id.</param>
/// <param name="Category">The item's category.</param>
public readonly record struct Auction(long Id, long Reserve, long DateTime, long Expires, long Seller, long Category) : IUtf8SpanParsable<Auction>
{
    /// <summary>Parses an auction's line; a line that is not one is counted as malformed by the source and skipped.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, [MaybeNullWhen(false)] out Auction result)
    {
        int at = 0;
        if (!Utf8Fields.TryInt64(utf8Text, ref at, false, out long id)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long reserve)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long dateTime)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long expires)
            || !Utf8Fields.TryInt64(utf8Text, ref at, false, out long seller)
            || !Utf8Fields.TryInt64(utf8Text, ref at, true, out long category))
        {
            result = default;
            return false;
        }

        result = new Auction(id, reserve, dateTime, expires, seller, category);
        return true;
    }

    /// <summary>Parses an auction's line, or throws a <see cref="FormatException"/> that shows it.</summary>
    public static Auction Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider) =>
        TryParse(utf8Text, provider, out Auction auction)
            ? auction
            : throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(utf8Text)}' is not an auction; write id,itemName,description,initialBid,reserve,dateTime,expires,seller,category with whole numbers for all but the item's name and description.");

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Id},{Reserve},{DateTime},{Expires},{Seller},{Category}");
}
