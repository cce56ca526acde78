using Compiled.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting;

/// <summary>
/// The lengths of the lines of each batch, handed to a whole-batch stage that takes three batch intervals of the clock:
/// a job whose batches take longer than the interval to complete.
/// </summary>
[Pipeline(BatchInterval = "1s")]
public static partial class SlowBatchPipeline
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static int Length(ReadOnlySpan<byte> line) => line.Length;

    [ForEachBatch]
    public static void Slow(ReadOnlySpan<int> lengths, long batchTime)
    {
        FallingBehindTests.Batches.Add(lengths.Length);
        FallingBehindTests.Clock.Advance(TimeSpan.FromSeconds(3));

        // A slow batch takes real time too: the thread that reads the input into the source's pipe gets a core meanwhile,
        // as it does in a real run (with only the fake clock moving, a machine busy with other tests could leave that
        // thread unscheduled while the loop completed batch after batch, each finding the pipe empty).
        Thread.Sleep(20);
    }
}

/// <summary>
/// A job falling behind its input (each batch takes longer than the interval to complete) still reads between its
/// batches: the next batch, due at once, is completed only after the sources have had a turn, not as an empty batch
/// after another; and a stop is not put off by batches coming due.
/// </summary>
[Collection(nameof(FallingBehindTests))]
public class FallingBehindTests
{
    internal static FakeTimeProvider Clock = new();

    internal static readonly List<int> Batches = [];

    [Fact]
    public async Task BatchesTakingLongerThanTheInterval_StillReadBetweenThem_AndEveryLineIsCounted()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        Batches.Clear();
        const int Chunks = 20, LinesPerChunk = 50;
        var options = new PipelineRunOptions
        {
            TimeProvider = Clock,
            Parallelism = 1,
            OpenStandardInput = () => new ClockedInput(Clock, Chunks, LinesPerChunk),
        };
        options.SourceUris["Input"] = "stdin:";
        await using var run = new PipelineRun(SlowBatchPipeline.Definition, options);

        // On a thread of its own: a loop completing batch after batch without reading never yields to the test.
        Task running = Task.Run(() => run.RunAsync(TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        Task first = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.True(first == running, $"The run did not end within 30 s; batches so far: {Batches.Count}, of sizes {string.Join(", ", Batches.Take(20))}…");
        await running;
        Assert.Equal(Chunks * LinesPerChunk, Batches.Sum());
        Assert.True(Batches.Count <= (2 * Chunks) + 2, $"{Batches.Count} batches for {Chunks} reads: the job completed batches without reading between them ({string.Join(", ", Batches)}).");
    }

    // A standard input that gives a chunk of lines per read, and moves the clock a batch interval on at each, so that a
    // batch comes due between reads.
    private sealed class ClockedInput(FakeTimeProvider clock, int chunks, int linesPerChunk) : Stream
    {
        private readonly byte[] _chunk = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("some line\n", linesPerChunk)));
        private int _given;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_given == chunks)
            {
                return 0;
            }

            _given++;
            clock.Advance(TimeSpan.FromSeconds(1));
            _chunk.CopyTo(buffer);
            return _chunk.Length;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
