using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Samples.Nexmark.Generator;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// The generator, the source and the bid parser allocate nothing per event once warm: a benchmark's input must not
/// load the garbage collector the job under test is measured on.
/// </summary>
public class AllocationTests
{
    [Fact]
    public async Task TheSource_AllocatesNothingPerEvent_OnceItsBatchHasGrown()
    {
        var uri = ConnectorUri.Parse("nexmark:bids?events=10000000&seed=3", "source");
        await using var source = (NexmarkSource)NexmarkSourceFactory.Create(uri, new SourceContext());
        MessageBatch batch = source.CreateBatch();
        CancellationToken cancel = TestContext.Current.CancellationToken;
        long messages = 0;
        for (int i = 0; i < 20; i++)
        {
            messages += await ReadOnce(source, batch, cancel);
        }

        // The fewest bytes of three runs of 50 batches (about 50,000 bids each): a rare runtime event can land in one run,
        // an allocation per event shows in all of them.
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                messages += await ReadOnce(source, batch, cancel);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(messages > 170 * 900, $"{messages} bids were read");
        Assert.True(least == 0, $"50 batches of bids allocated {least} bytes; generating and delivering an event must allocate nothing.");
    }

    [Fact]
    public void ParsingABid_AllocatesNothing()
    {
        byte[][] lines = NexmarkStream.Generate(new GeneratorConfig(Seed: 4, Events: 2_000)).Lines(EventKind.Bid)
            .Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        var reader = new BidLines();
        long sum = 0;
        ParseAll(reader, lines, ref sum);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ParseAll(reader, lines, ref sum);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotEqual(0, sum);
        Assert.Equal(0, allocated);
    }

    // Every line whole, then as Q2 reads it (the auction and the price only).
    private static void ParseAll(BidLines reader, byte[][] lines, ref long sum)
    {
        foreach (byte[] line in lines)
        {
            Assert.True(reader.TryRead(line, out Bid bid));
            Assert.True(reader.TryRead(line, 0x5UL, out Bid pruned));
            sum += bid.Price + pruned.Auction;
        }
    }

    private static async ValueTask<int> ReadOnce(NexmarkSource source, MessageBatch batch, CancellationToken cancel)
    {
        batch.Clear();
        Assert.True(await source.WaitToReadAsync(cancel));
        Assert.True(source.TryRead(batch));
        return batch.Count;
    }
}
