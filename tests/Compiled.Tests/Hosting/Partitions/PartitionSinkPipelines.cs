namespace Compiled.Tests.Hosting.Partitions;

/// <summary>Nexmark Q2's shape: typed bids, filtered, mapped to a tuple, written per record.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class BidSelection
{
    [Source]
    public static partial Lines<(long Auction, long Bidder, long Price, long Time)> Bids();

    [Filter]
    public static bool OnSelectedAuction(long auction, long bidder, long price, long time) => auction % 7 == 0;

    [Map]
    public static (long Auction, long Price) AuctionAndPrice(long auction, long bidder, long price, long time) => (auction, price);

    [Sink]
    public static partial void Output((long Auction, long Price) bid);
}

/// <summary>Nexmark Q1's shape: every typed bid mapped and written per record.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class BidsInEuros
{
    [Source]
    public static partial Lines<(long Auction, long Bidder, long Price, long Time)> Bids();

    [Map]
    public static (long Auction, long Bidder, long Price, long Time) InEuros(long auction, long bidder, long price, long time) =>
        (auction, bidder, price * 89 / 100, time);

    [Sink]
    public static partial void Output((long Auction, long Bidder, long Price, long Time) bid);
}

/// <summary>Keyed pairs written per record: each word with its length.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class WordLengths
{
    [Source]
    public static partial Lines Input();

    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line);

    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, word.Length);

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long length);
}

/// <summary>Lines by event time, the late ones written as they are to a late sink, the others counted per user in windows.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class LateLines
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "1s", Late = nameof(TooLate))]
    public static long At(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    [Sink]
    public static partial void TooLate(ReadOnlySpan<byte> line);

    [Map]
    public static KeyValue<long> User(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    [EventWindow(Size = "10s")]
    public static long Tumbling(long a, long b) => a + b;

    [Sink]
    public static partial void TumblingOut(Windowed<long> lines);
}

/// <summary>
/// Every line written as it is but those that start with "skip"; a line that starts with "slow" holds its partition up half
/// a second, and one that starts with "boom" fails the run.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlowOrFailingLines
{
    [Source]
    public static partial Lines Input();

    [Filter]
    public static bool Passes(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("boom"u8))
        {
            throw new InvalidOperationException("A line starting with boom is refused.");
        }

        if (line.StartsWith("slow"u8))
        {
            Thread.Sleep(500);
        }

        return !line.StartsWith("skip"u8);
    }

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> line);
}

/// <summary>Every line written as it is but those that start with "bad", on which the filter throws: counted and skipped.</summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SkippedBadLines
{
    [Source]
    public static partial Lines Input();

    [Filter(OnError = BadRecordPolicy.Skip)]
    public static bool Good(ReadOnlySpan<byte> line) => line.StartsWith("bad"u8) ? throw new FormatException("A line starting with bad is refused.") : true;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> line);
}

/// <summary>Lines that start with "bad" refused by a filter whose refusals go to the dead-letter file; the others printed.</summary>
[Pipeline]
public static partial class DeadLetteredBadLines
{
    [Source]
    public static partial Lines Input();

    [Filter(OnError = BadRecordPolicy.DeadLetter)]
    public static bool Good(ReadOnlySpan<byte> line) => line.StartsWith("bad"u8) ? throw new FormatException("A line starting with bad is refused.") : true;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> line);
}
