using System.Buffers.Text;
using Compiled;

namespace Compiled.Benchmarks.Parsing;

/// <summary>
/// The Q1-style job with a typed source: each bid <c>auction,bidder,price,dateTime</c> parsed by the generated loop,
/// priced in euros, and folded into one checksum per batch (so the sink's formatting does not hide the parse).
/// </summary>
[Pipeline]
public static partial class TypedBids
{
    /// <summary>The bids, parsed as a tuple of four numbers.</summary>
    [Source]
    public static partial Lines<(long Auction, long Bidder, long Price, long DateTime)> Bids();

    /// <summary>The bid priced in euro cents, folded with its other fields.</summary>
    [Map]
    public static long InEuros(long auction, long bidder, long price, long dateTime) => BidChecksum.Of(auction, bidder, price, dateTime);

    /// <summary>The batch's checksum.</summary>
    [Reduce]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The checksum, once per batch.</summary>
    [Sink]
    public static partial void Output(long checksum);
}

/// <summary>The same job over byte lines, each parsed in a [Map] by span parsing (<see cref="Utf8Parser"/>), as a user would write it.</summary>
[Pipeline]
public static partial class SpanParsedBids
{
    /// <summary>The bids, as lines of bytes.</summary>
    [Source]
    public static partial Lines Bids();

    /// <summary>The bid parsed and priced in euro cents, folded with its other fields; 0 for a line that is not a bid.</summary>
    [Map]
    public static long InEuros(ReadOnlySpan<byte> line) =>
        Number(ref line, out long auction) && Number(ref line, out long bidder) && Number(ref line, out long price)
        && Utf8Parser.TryParse(line, out long dateTime, out int used) && used == line.Length
            ? BidChecksum.Of(auction, bidder, price, dateTime)
            : 0;

    /// <summary>The batch's checksum.</summary>
    [Reduce]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The checksum, once per batch.</summary>
    [Sink]
    public static partial void Output(long checksum);

    private static bool Number(ref ReadOnlySpan<byte> text, out long value)
    {
        if (!Utf8Parser.TryParse(text, out value, out int used) || used >= text.Length || text[used] != (byte)',')
        {
            return false;
        }

        text = text[(used + 1)..];
        return true;
    }
}

/// <summary>
/// The same job over byte lines, each parsed in a [Map] exactly as the generated loop of a typed source parsed it before
/// <c>Utf8Fields</c>: each field cut by <c>Utf8Parse.TryField</c> (an IndexOf from where the previous one ended) and read
/// by <c>Utf8Parse.TryParse&lt;long&gt;</c> (<c>long.TryParse</c> in the invariant culture). The "before" of the typed job.
/// </summary>
[Pipeline]
public static partial class PreviousParseBids
{
    /// <summary>The bids, as lines of bytes.</summary>
    [Source]
    public static partial Lines Bids();

    /// <summary>The bid parsed as the typed source parsed it before, priced in euro cents, folded; 0 for a line that is not a bid.</summary>
    [Map]
    public static long InEuros(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> rest = line;
        return Utf8Parse.TryField(ref rest, false, out ReadOnlySpan<byte> field1) && Utf8Parse.TryParse(field1, out long auction)
            && Utf8Parse.TryField(ref rest, false, out ReadOnlySpan<byte> field2) && Utf8Parse.TryParse(field2, out long bidder)
            && Utf8Parse.TryField(ref rest, false, out ReadOnlySpan<byte> field3) && Utf8Parse.TryParse(field3, out long price)
            && Utf8Parse.TryField(ref rest, true, out ReadOnlySpan<byte> field4) && Utf8Parse.TryParse(field4, out long dateTime)
                ? BidChecksum.Of(auction, bidder, price, dateTime)
                : 0;
    }

    /// <summary>The batch's checksum.</summary>
    [Reduce]
    public static long Sum(long a, long b) => a + b;

    /// <summary>The checksum, once per batch.</summary>
    [Sink]
    public static partial void Output(long checksum);
}

/// <summary>What every variant computes per bid: its price in euro cents (Nexmark Q1's rate, 0.89) folded with its other fields.</summary>
public static class BidChecksum
{
    /// <summary>The bid's contribution to the checksum.</summary>
    public static long Of(long auction, long bidder, long price, long dateTime) => (auction * 31) + bidder + (price * 89 / 100) + (dateTime & 0xFFFF);
}
