using System.Buffers.Binary;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Messages;
using Microsoft.Extensions.Time.Testing;
using Samples.Nexmark.Generator;
using Samples.Nexmark.Queries;

namespace Compiled.Nexmark.Tests;

/// <summary>
/// The <c>nexmark:</c> source: it delivers the events of its kind among the first N, the same lines the generator writes,
/// and ends; paced, it delivers no event before its time on the run's clock; a bad URI is refused with what to write;
/// and a pipeline reads it by its URI.
/// </summary>
public class NexmarkSourceTests
{
    [Theory]
    [InlineData("bids", EventKind.Bid)]
    [InlineData("auctions", EventKind.Auction)]
    [InlineData("persons", EventKind.Person)]
    public async Task TheSource_DeliversItsKindAmongTheFirstNEvents_AsTheGeneratorWritesThem_AndEnds(string target, EventKind kind)
    {
        await using NexmarkSource source = Create($"nexmark:{target}?events=1234&seed=9");
        List<(string Line, long Time)> delivered = await ReadAllAsync(source);

        NexmarkStream expected = NexmarkStream.Generate(new GeneratorConfig(Seed: 9, Events: 1234));
        Assert.Equal(EventIds.CountOf(kind, 1234), delivered.Count);
        Assert.Equal(expected.Events.Where(e => e.Kind == kind).Select(e => (e.Line, e.Time)), delivered);
    }

    [Fact]
    public async Task ASourceResumedAtAnEvent_DeliversTheEventsFromIt()
    {
        await using NexmarkSource source = Create("nexmark:bids?events=1234&seed=9");
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(source.GetPosition().Payload.Span));
        byte[] position = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(position, 1000);
        source.ResumeFrom(new SourcePosition(position, "nexmark:bids at event 1000"));

        List<(string Line, long Time)> delivered = await ReadAllAsync(source);

        NexmarkStream expected = NexmarkStream.Generate(new GeneratorConfig(Seed: 9, Events: 1234));
        Assert.Equal(expected.Events.Skip(1000).Where(e => e.Kind == EventKind.Bid).Select(e => (e.Line, e.Time)), delivered);
        Assert.Throws<InvalidDataException>(() => Create("nexmark:bids").ResumeFrom(new SourcePosition(new byte[3], "three bytes")));
    }

    [Fact]
    public async Task APacedSource_DeliversEachEventOnlyOnceItsTimeHasCome()
    {
        // 100 events a second: event n is due n × 10 ms after the start. Bids are events 4 to 49 of each 50.
        var clock = new FakeTimeProvider();
        await using NexmarkSource source = Create("nexmark:bids?events=100&rate=100", clock);
        MessageBatch batch = source.CreateBatch();

        ValueTask<bool> waiting = source.WaitToReadAsync(TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);                 // the first bid, event 4, is due at 40 ms
        clock.Advance(TimeSpan.FromMilliseconds(39));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await waiting);
        Assert.True(source.TryRead(batch));
        Assert.Equal(1, batch.Count);                      // only event 4 is due

        batch.Clear();
        clock.Advance(TimeSpan.FromMilliseconds(100));     // 140 ms: events 5 to 14 are due
        Assert.True(await source.WaitToReadAsync(TestContext.Current.CancellationToken));
        Assert.True(source.TryRead(batch));
        Assert.Equal(10, batch.Count);
    }

    [Theory]
    [InlineData("nexmark:trades", "'trades' is not a kind of Nexmark event")]
    [InlineData("nexmark:bids?events=-1", "events=-1 is not a whole number of at least 0")]
    [InlineData("nexmark:bids?rate=0", "rate=0 is not a whole number of at least 1")]
    [InlineData("nexmark:bids?sed=1", "sed")]
    public void ABadUri_IsRefused_SayingWhatToWrite(string uri, string message)
    {
        Exception error = Assert.ThrowsAny<Exception>(() => Create(uri));
        Assert.IsType<ConnectorUriException>(error, exactMatch: false);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APipeline_ReadsTheSourceByItsUri_AndStopsAfterTheNEvents()
    {
        string directory = Directory.CreateTempSubdirectory("nexmark-q0-").FullName;
        try
        {
            int exit = await Q0.RunAsync(["--source", "nexmark:bids?events=2000&seed=5", "--sink", $"file://{directory}/out"]);

            Assert.Equal(0, exit);
            string[] written = Directory.GetFiles(directory).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).ToArray();
            NexmarkStream expected = NexmarkStream.Generate(new GeneratorConfig(Seed: 5, Events: 2000));
            Assert.Equal(
                expected.Fields(EventKind.Bid).Select(f => $"{f[0]},{f[1]},{f[2]},{f[5]}"),
                written);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static NexmarkSource Create(string uri, TimeProvider? clock = null)
    {
        var parsed = ConnectorUri.Parse(uri, "source");
        var source = (NexmarkSource)NexmarkSourceFactory.Create(parsed, new SourceContext { TimeProvider = clock ?? TimeProvider.System });
        parsed.ThrowIfUnknownOptions();
        return source;
    }

    private static async Task<List<(string Line, long Time)>> ReadAllAsync(MessageSource source)
    {
        var delivered = new List<(string, long)>();
        MessageBatch batch = source.CreateBatch();
        while (await source.WaitToReadAsync(TestContext.Current.CancellationToken))
        {
            batch.Clear();
            Assert.True(source.TryRead(batch), "a source that said it can be read adds a message");
            for (int i = 0; i < batch.Count; i++)
            {
                Message message = batch[i];
                delivered.Add((Encoding.UTF8.GetString(message.Payload), message.Timestamp));
            }
        }

        return delivered;
    }
}
