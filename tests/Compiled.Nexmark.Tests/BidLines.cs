using Compiled;
using Compiled.Connectors;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>Reads bid lines with <see cref="Bid"/>'s generated CSV parser, one stream of lines, as a query's source reads them.</summary>
internal sealed class BidLines
{
    private readonly CsvRecordReader _reader = new(Bid.CsvLayout, "bids", new SourceCounters());

    /// <summary>The next line of the stream as a bid, every member read; false for a line that is not one.</summary>
    public bool TryRead(ReadOnlySpan<byte> line, out Bid bid) => Bid.TryReadCsv(_reader, line, out bid);

    /// <summary>The next line of the stream, reading only the members in <paramref name="members"/>, as a query that reads only those does.</summary>
    public bool TryRead(ReadOnlySpan<byte> line, ulong members, out Bid bid) => Bid.TryReadCsv(_reader, line, members, out bid);

    /// <summary>A bid line read on its own, or a <see cref="FormatException"/> that shows it.</summary>
    public static Bid Parse(ReadOnlySpan<byte> line) =>
        new BidLines().TryRead(line, out Bid bid)
            ? bid
            : throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(line)}' is not a bid line (auction,bidder,price,channel,url,dateTime).");
}
