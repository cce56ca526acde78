using Compiled.Testing;

namespace Compiled.Tests.Records;

/// <summary>
/// A stage below a tuple record may take the tuple's fields as parameters of their own, in order, instead of the
/// tuple: <c>[Filter] static bool Big(long auction, long price, long time)</c> below <c>Lines&lt;(long, long, long)&gt;</c>.
/// [EventTime], [Filter], [Map] and [FlatMap] take them so.
/// </summary>
public class TupleFieldParameterTests
{
    [Fact]
    public void StagesTakingTheFields_SeeEachFieldOfEachRecord()
    {
        using var test = new BidFields.TestDriver();
        test.Bids.Batch((7, 150, 100), (8, 90, 200), (7, 300, 900));
        test.Bids.Batch((9, 500, 1_200));
        test.Bids.Batch();
        test.RunToEnd();

        // Bids of at least 100 in cents (Nexmark's currency conversion as a plain map), counted per auction and second.
        Assert.Equal(
            ["([0,1000),7,450)", "([1000,2000),9,500)"],
            test.Totals.Batches.SelectMany(b => b.Records).Select(r => r.ToString()));
        Assert.Equal([7, 7, 9], test.Auctions.Batches.SelectMany(b => b.Records).Select(r => r.Auction));
    }
}

/// <summary>Bids as (auction, price, time): every stage below the source takes the three fields as parameters.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class BidFields
{
    [Source]
    public static partial Lines<(long Auction, long Price, long Time)> Bids();

    [EventTime(Lateness = "0")]
    public static long At(long auction, long price, long time) => time;

    [Filter]
    public static bool AtLeastOneHundred(long auction, long price, long time) => price >= 100;

    [Map]
    public static (long Auction, long Cents, long Time) InCents(long auction, long price, long time) => (auction, price, time);

    [Map(Input = nameof(InCents))]
    public static (long Auction, long Time) Auction(long auction, long cents, long time) => (auction, time);

    [Sink]
    public static partial void Auctions((long Auction, long Time) bid);

    [Map(Input = nameof(InCents))]
    public static (long Auction, long Cents) PerAuction(long auction, long cents, long time) => (auction, cents);

    [EventWindow(Size = "1s")]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Totals(Windowed<long, long> total);
}
