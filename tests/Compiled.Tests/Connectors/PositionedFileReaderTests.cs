using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Files;
using Compiled.Framing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compiled.Tests.Connectors;

/// <summary>
/// A <c>file:</c> source reads a regular file with positioned reads on the reading loop's thread
/// (<see cref="PositionedFileReader"/>), and a FIFO through a pipe as before: every read of a file completes at once,
/// a line longer than a read is whole, a file that grows while it is read is read to where it ends, and a resumed
/// source starts at its offset.
/// </summary>
public sealed class PositionedFileReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FileSource_RegularFile_EveryReadCompletesAtOnce()
    {
        using var deadline = Eventually.Deadline();
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => $"record {i}\n")));
        await using Source source = Create(_dir.Write("input.txt", Encoding.UTF8.GetString(text)));
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.IsType<PositionedFileReader>(stream.Reader);

        var received = new ArrayBufferWriter<byte>();
        int reads = 0;
        while (true)
        {
            ValueTask<ReadResult> read = stream.Reader.ReadAsync(deadline.Token);
            Assert.True(read.IsCompleted, "a read of a regular file waited");
            ReadResult result = await read;
            Assert.True(result.Buffer.IsSingleSegment);
            reads++;
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            stream.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal(text, received.WrittenSpan.ToArray());
        // About 2.5 MB in reads of 256 KiB, and one more that finds the end.
        Assert.InRange(reads, text.Length / PositionedFileReader.ReadBytes, (text.Length / PositionedFileReader.ReadBytes) + 2);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task FileSource_LinesLongerThanARead_AreFramedWhole()
    {
        using var deadline = Eventually.Deadline();
        // Lines of 300 KiB and 700 KiB (longer than the 256 KiB read, the second longer than two), short lines around
        // them, and a last line without a '\n'.
        string[] lines =
        [
            "first", new string('a', 300 * 1024), "between", new string('b', 700 * 1024), "", "after",
            new string('c', PositionedFileReader.ReadBytes - 1), new string('d', PositionedFileReader.ReadBytes), "last",
        ];
        string path = _dir.Write("long.txt", string.Join('\n', lines));
        await using Source source = Create(path);
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);

        var counters = new SourceCounters();
        using var framer = new LineFramer(new FramingOptions(), counters);
        framer.Reset(stream.Name);
        var collector = new LineCollector(new List<string>());
        while (true)
        {
            ReadResult result = await stream.Reader.ReadAsync(deadline.Token);
            SequencePosition consumed = framer.Frame(result.Buffer, result.IsCompleted, ref collector);
            stream.Reader.AdvanceTo(consumed, result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal(lines, collector.Lines);
        Assert.Equal(lines.Length, counters.Records);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task FileSource_FileThatGrowsWhileRead_IsReadToWhereItEnds()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("growing.txt", "one\ntwo\n");
        await using Source source = Create(path);
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);

        ReadResult first = await stream.Reader.ReadAsync(deadline.Token);
        Assert.Equal("one\ntwo\n", Encoding.UTF8.GetString(first.Buffer.ToArray()));
        Assert.False(first.IsCompleted);
        stream.Reader.AdvanceTo(first.Buffer.End);

        // Written before the read that would find the end: read, as the pipe read it.
        await File.AppendAllTextAsync(path, "three\n", deadline.Token);
        Assert.Equal("three\n", Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token)));

        // Once the end was found the stream is over, whatever comes after.
        await File.AppendAllTextAsync(path, "four\n", deadline.Token);
        ReadResult after = await stream.Reader.ReadAsync(deadline.Token);
        Assert.True(after.IsCompleted);
        Assert.True(after.Buffer.IsEmpty);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task FileSource_ResumedAtAnOffset_ReadsFromThere()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("input.txt", "alpha\nbeta\ngamma\n");
        await using var first = (FileSource)Create(path);
        SourceStream? stream = await first.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        ReadResult read = await stream.Reader.ReadAsync(deadline.Token);
        stream.Reader.AdvanceTo(read.Buffer.GetPosition(6));
        stream.Advance(6, ended: false);
        SourcePosition position = first.GetPosition();
        await stream.DisposeAsync();

        await using var resumed = (FileSource)Create(path);
        resumed.ResumeFrom(position);
        SourceStream? again = await resumed.NextStreamAsync(deadline.Token);
        Assert.NotNull(again);
        Assert.IsType<PositionedFileReader>(again.Reader);
        Assert.Equal("beta\ngamma\n", Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(again.Reader, deadline.Token)));
        await again.DisposeAsync();
    }

    [Fact]
    public async Task FileSource_NamedPipe_IsStillReadThroughAPipe()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "mkfifo is Unix only");
        using var deadline = Eventually.Deadline();
        string fifo = Path.Combine(_dir.Path, "fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var writer = new Thread(() =>
        {
            using var output = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            output.Write("from a fifo\n"u8);
        });
        writer.Start();
        await using Source source = Create(fifo);
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.IsNotType<PositionedFileReader>(stream.Reader);
        Assert.Equal("from a fifo\n", Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token)));
        await stream.DisposeAsync();
        writer.Join();
    }

    [Fact]
    public async Task PositionedFileReader_ReadsAllocateNothing()
    {
        string path = _dir.Write("input.txt", string.Concat(Enumerable.Range(0, 100_000).Select(i => $"line {i}\n")));
        await using Source source = Create(path);
        SourceStream? stream = await source.NextStreamAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(stream);

        // Reads of the whole file, each 256 KiB apart: an allocation per read shows in each of them.
        long allocated = AllocationMeter.LeastAllocated(
            () =>
            {
                for (int i = 0; i < 4; i++)
                {
                    ReadResult result = stream.Reader.ReadAsync().Result;
                    stream.Reader.AdvanceTo(result.Buffer.End);
                }
            },
            attempts: 1);
        Assert.Equal(0, allocated);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task PositionedFileReader_PositionOfAnotherBuffer_IsRefused()
    {
        string path = _dir.Write("input.txt", "a\nb\n");
        await using Source source = Create(path);
        SourceStream? stream = await source.NextStreamAsync(TestContext.Current.CancellationToken);
        Assert.NotNull(stream);
        ReadResult result = await stream.Reader.ReadAsync(TestContext.Current.CancellationToken);
        var other = new ReadOnlySequence<byte>(new byte[4]);
        var error = Assert.Throws<InvalidOperationException>(() => stream.Reader.AdvanceTo(other.End));
        Assert.Contains("another buffer", error.Message, StringComparison.Ordinal);
        stream.Reader.AdvanceTo(result.Buffer.End);
        await stream.DisposeAsync();
    }

    private Source Create(string path) =>
        ConnectorRegistry.CreateSource($"file://{path}", new SourceContext
        {
            LoggerFactory = NullLoggerFactory.Instance,
            BatchInterval = TimeSpan.FromSeconds(1),
            CurrentDirectory = _dir.Path,
        });

    private readonly struct LineCollector(List<string> lines) : IRecordConsumer
    {
        public List<string> Lines => lines;

        public void OnRecord(ReadOnlySpan<byte> record) => lines.Add(Encoding.UTF8.GetString(record));
    }
}
