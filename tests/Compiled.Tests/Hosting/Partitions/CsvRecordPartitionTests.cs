using System.Text;
using Compiled.Tests.Connectors;
using static Compiled.Tests.Hosting.Partitions.PartitionRuns;

namespace Compiled.Tests.Hosting.Partitions;

/// <summary>A bid whose every line is a record (<c>MultiLine = false</c>) and whose file has no header: read by position.</summary>
[Record(Header = RecordHeader.None, MultiLine = false)]
public partial record struct LineBid(long Auction, long Bidder, long Price, [property: Column(Index = 4)] long Time);

/// <summary>The same bid in a file that starts with a header row, skipped.</summary>
[Record(Header = RecordHeader.Skip, MultiLine = false)]
public partial record struct HeadedBid(long Auction, long Bidder, long Price, [property: Column(Index = 4)] long Time);

/// <summary>Nexmark Q2's shape over a CSV record: only the auction and the price are parsed.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LineBidSelection
{
    [Source]
    public static partial Lines<LineBid> Bids();

    [Filter]
    public static bool OnSelectedAuction(LineBid bid) => bid.Auction % 7 == 0;

    [Map]
    public static (long Auction, long Price) AuctionAndPrice(LineBid bid) => (bid.Auction, bid.Price);

    [Sink]
    public static partial void Output((long Auction, long Price) bid);
}

/// <summary>Every member of a headed CSV record, written per record.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class HeadedBidCopy
{
    [Source]
    public static partial Lines<HeadedBid> Bids();

    [Map]
    public static (long Auction, long Bidder, long Price, long Time) Fields(HeadedBid bid) => (bid.Auction, bid.Bidder, bid.Price, bid.Time);

    [Sink]
    public static partial void Output((long Auction, long Bidder, long Price, long Time) bid);
}

/// <summary>
/// A CSV <c>[Record]</c> read one line each (<c>MultiLine = false</c>) without a header of names is split over
/// partitions like any line file: the output equals one partition's, quoted fields, bad lines and a skipped header row
/// included; a record whose quoted fields may span lines stays on one partition, and says why.
/// </summary>
public class CsvRecordPartitionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ASingleLineCsvRecord_OnNPartitions_EqualsOnePartition_BadLinesAndQuotesIncluded(int partitions)
    {
        using var temp = new TempDirectory();
        string input = BidLines(temp, bids: 150_000, header: false);
        Result one = await RunAsync(LineBidSelection.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(LineBidSelection.Definition, input, temp.Combine("many"), partitions);

        Assert.Contains($"runs on {partitions} partitions", many.Log, StringComparison.Ordinal);
        Assert.True(one.Sinks["Output"].Count > 15_000, $"Only {one.Sinks["Output"].Count} bids were selected; the test needs many.");
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
        Assert.Equal(one.Records, many.Records);
        // A selected bid whose price is not a number is refused on every partition count; one with a quoted channel is read.
        Assert.DoesNotContain("(7000,", one.Sinks["Output"]);
        Assert.Contains("(7007,31)", one.Sinks["Output"]);
    }

    [Fact]
    public async Task AHeaderRowSkipped_IsSkippedOnceOnPartitions()
    {
        using var temp = new TempDirectory();
        string input = BidLines(temp, bids: 120_000, header: true);
        Result one = await RunAsync(HeadedBidCopy.Definition, input, temp.Combine("one"), 1);
        Result many = await RunAsync(HeadedBidCopy.Definition, input, temp.Combine("many"), 2);

        Assert.Contains("runs on 2 partitions", many.Log, StringComparison.Ordinal);
        Assert.Equal(one.Sinks["Output"], many.Sinks["Output"]);
        Assert.StartsWith("(1000,", one.Sinks["Output"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void ARangeBeginningInsideTheFile_HasNoHeaderRow_AndItsLinesAreNotNumbered()
    {
        // Partition 0 too may begin inside a file (a run resumed from a checkpoint, a section of a bounded batch): the
        // job's reader is told the offset, so a Skip header is skipped only at the file's start.
        var reader = new CsvRecordReader(HeadedBid.CsvLayout, "Bids", new Compiled.Connectors.SourceCounters());
        reader.BeginStream("bids.csv", 0);
        Assert.False(HeadedBid.TryReadCsv(reader, "auction,bidder,price,channel,time"u8, out _));
        Assert.True(HeadedBid.TryReadCsv(reader, "1,2,3,x,4"u8, out HeadedBid first));
        Assert.Equal(2, reader.Line);
        reader.BeginStream("bids.csv", 4096);
        Assert.True(HeadedBid.TryReadCsv(reader, "5,6,7,x,8"u8, out HeadedBid inside));
        Assert.Equal((new HeadedBid(1, 2, 3, 4), new HeadedBid(5, 6, 7, 8)), (first, inside));
        Assert.Equal(0, reader.Line);
    }

    [Fact]
    public void ARecordWhoseQuotedFieldsMaySpanLines_StaysOnOnePartition_AndSaysHowToSplitIt()
    {
        string? reason = Compiled.Tests.Records.Csv.BoughtPerSymbol.Definition.SinglePartitionReason;
        Assert.NotNull(reason);
        Assert.Contains("MultiLine = false", reason, StringComparison.Ordinal);
        Assert.Null(LineBidSelection.Definition.SinglePartitionReason);
    }

    // auction,bidder,price,channel,time: every 1,000th bid's channel is quoted with a comma inside, and auction 7000's
    // price is not a number (a bad line, refused); bid 7007 prices 31.
    private static string BidLines(TempDirectory temp, int bids, bool header)
    {
        var random = new Random(bids);
        var text = new StringBuilder(header ? "auction,bidder,price,channel,time\n" : "");
        for (int i = 0; i < bids; i++)
        {
            long auction = 1000 + i;
            string price = auction == 7000 ? "cheap" : auction == 7007 ? "31" : random.Next(1, 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string channel = i % 1000 == 7 ? "\"Goo,gle\"" : "channel-" + (i % 13);
            text.Append(auction).Append(',').Append(random.Next(100_000)).Append(',').Append(price).Append(',').Append(channel)
                .Append(',').Append(1_700_000_000_000L + i).Append('\n');
        }

        string path = temp.Combine("bids.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
