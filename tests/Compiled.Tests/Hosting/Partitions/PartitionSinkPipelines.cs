using System.Collections.Concurrent;
using Compiled.Connectors;
using Compiled.Sinks;
using Compiled.Tests.Hosting.Partitions;

// Sinks that take records as they are, as a store keeping typed rows does: one of a type a partition keeps, one of views.
[assembly: SinkConnector("auctionprices", typeof(AuctionPriceCaptureFactory), Usage = "auctionprices:NAME")]
[assembly: SinkConnector("wordlengths", typeof(WordLengthCaptureFactory), Usage = "wordlengths:NAME")]

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

/// <summary>What the capture sinks committed, per name, batch by batch.</summary>
internal static class CaptureStore
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<IReadOnlyList<string>>> Batches = new(StringComparer.Ordinal);

    /// <summary>The batches committed under <paramref name="name"/>, each its records as text, in order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Committed(string name) =>
        Batches.TryGetValue(name, out ConcurrentQueue<IReadOnlyList<string>>? batches) ? batches.ToArray() : [];

    /// <summary>Appends a committed batch.</summary>
    public static void Commit(string name, List<string> records) =>
        Batches.GetOrAdd(name, _ => new ConcurrentQueue<IReadOnlyList<string>>()).Enqueue(records.ToArray());
}

/// <summary>Takes (auction, price) tuples as they are, never as text, and commits them to <see cref="CaptureStore"/>.</summary>
internal sealed class AuctionPriceCapture(ConnectorUri uri, SinkContext context) : Sink(uri, context), IRecordWriter<(long Auction, long Price)>
{
    private readonly List<string> _batch = [];

    public void Write((long Auction, long Price) record) => _batch.Add($"{record.Auction}:{record.Price}");

    public override void BeginBatch(long batchTimeMs) => _batch.Clear();

    public override void Write(ReadOnlySpan<byte> record) =>
        throw new InvalidOperationException("This capture takes (auction, price) records as they are, never text.");

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        CaptureStore.Commit(Uri.Target, _batch);
        _batch.Clear();
        return default;
    }
}

/// <summary>Creates <c>auctionprices:NAME</c> sinks.</summary>
public sealed class AuctionPriceCaptureFactory : ISinkFactory
{
    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new AuctionPriceCapture(uri, context);
}

/// <summary>Takes word pairs as they are (a view of the word's bytes), never as text, and commits them to <see cref="CaptureStore"/>.</summary>
internal sealed class WordLengthCapture(ConnectorUri uri, SinkContext context) : Sink(uri, context), IRecordWriter<KeyValue<long>>
{
    private readonly List<string> _batch = [];

    public void Write(KeyValue<long> record) => _batch.Add($"{System.Text.Encoding.UTF8.GetString(record.Key)}:{record.Value}");

    public override void BeginBatch(long batchTimeMs) => _batch.Clear();

    public override void Write(ReadOnlySpan<byte> record) =>
        throw new InvalidOperationException("This capture takes word pairs as they are, never text.");

    public override ValueTask CommitBatchAsync(CancellationToken cancellationToken)
    {
        CaptureStore.Commit(Uri.Target, _batch);
        _batch.Clear();
        return default;
    }
}

/// <summary>Creates <c>wordlengths:NAME</c> sinks.</summary>
public sealed class WordLengthCaptureFactory : ISinkFactory
{
    /// <inheritdoc />
    public static Sink Create(ConnectorUri uri, SinkContext context) => new WordLengthCapture(uri, context);
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
