using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors.WriteAheadLog;
using Microsoft.Extensions.Logging;

namespace Compiled.Tests.Connectors;

/// <summary>
/// The write-ahead log of received data: appends, replay from a position (connection by connection, as they were
/// received), trimming whole segments, and recovery after a crash (a connection left open, a torn last write, damage).
/// </summary>
public sealed class WriteAheadLogTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public WriteAheadLogTests() => _loggerFactory = _logs.CreateFactory();

    private string LogPath => _directory.Combine("wal");

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Replay_FromTheStart_GivesEachConnectionsBytesInOrder_EndingWhereTheConnectionEnded()
    {
        using (WriteAheadLogDirectory log = Open())
        {
            Assert.Equal(new WriteAheadLogPosition(0, 0), log.BeginConnection());
            log.Append("alpha\nbe"u8);
            log.Append("ta\n"u8);
            log.EndConnection();
            Assert.Equal(new WriteAheadLogPosition(1, 0), log.BeginConnection());
            log.EndConnection(); // a connection that delivered nothing
            log.BeginConnection();
            log.Append("gamma"u8);
            log.EndConnection();
            Assert.Equal(new WriteAheadLogPosition(3, 0), log.End);
        }

        using WriteAheadLogDirectory reopened = Open();
        Assert.Equal(new WriteAheadLogPosition(3, 0), reopened.End);
        Assert.Equal(["alpha\nbeta\n", "", "gamma"], ReplayAll(reopened, new WriteAheadLogPosition(0, 0)));
    }

    [Fact]
    public void Replay_FromInsideAConnection_GivesTheRestOfItThenTheLaterOnes()
    {
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();
        log.Append("one\n"u8);
        log.Append("two\nthree\n"u8);
        log.EndConnection();
        log.BeginConnection();
        log.Append("four\n"u8);
        log.EndConnection();

        using WriteAheadLogReplay replay = log.Replay(new WriteAheadLogPosition(0, 8));
        Assert.True(replay.TryNextConnection(out WriteAheadLogPosition start, out Stream first));
        Assert.Equal(new WriteAheadLogPosition(0, 8), start);
        Assert.Equal("three\n", ReadToEnd(first));
        Assert.True(replay.TryNextConnection(out start, out Stream second));
        Assert.Equal(new WriteAheadLogPosition(1, 0), start);
        Assert.Equal("four\n", ReadToEnd(second));
        Assert.False(replay.TryNextConnection(out start, out _));
        Assert.Equal(new WriteAheadLogPosition(2, 0), start);

        Assert.Empty(ReplayAll(log, new WriteAheadLogPosition(2, 0)));
    }

    [Fact]
    public void Replay_AConnectionNotReadToItsEnd_IsSkippedOver()
    {
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();
        log.Append("long first connection\n"u8);
        log.EndConnection();
        log.BeginConnection();
        log.Append("second\n"u8);
        log.EndConnection();

        using WriteAheadLogReplay replay = log.Replay(new WriteAheadLogPosition(0, 0));
        Assert.True(replay.TryNextConnection(out _, out Stream first));
        Assert.Equal(4, first.Read(new byte[4]));
        Assert.True(replay.TryNextConnection(out WriteAheadLogPosition start, out Stream second));

        Assert.Equal(new WriteAheadLogPosition(1, 0), start);
        Assert.Equal("second\n", ReadToEnd(second));
    }

    [Fact]
    public void Open_AfterACrashWithAConnectionOpen_EndsIt_AndTheNextConnectionFollows()
    {
        WriteAheadLogDirectory crashed = Open();
        crashed.BeginConnection();
        crashed.Append("received\npart"u8);
        crashed.Dispose(); // no end: the process died while connected

        using WriteAheadLogDirectory log = Open();

        Assert.Equal(new WriteAheadLogPosition(1, 0), log.End);
        Assert.Equal(["received\npart"], ReplayAll(log, new WriteAheadLogPosition(0, 0)));
        Assert.Equal(new WriteAheadLogPosition(1, 0), log.BeginConnection());
    }

    [Fact]
    public void BeginConnection_WhileOneIsOpen_EndsIt()
    {
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();
        log.Append("a\n"u8);

        Assert.Equal(new WriteAheadLogPosition(1, 0), log.BeginConnection());
        log.Append("b\n"u8);
        log.EndConnection();

        Assert.Equal(["a\n", "b\n"], ReplayAll(log, new WriteAheadLogPosition(0, 0)));
    }

    [Theory]
    [InlineData(3)] // an entry header cut short
    [InlineData(12)] // a payload cut short
    public void Open_ATornLastWrite_IsCutOff_AndWhatCameBeforeIsKept(int tornBytes)
    {
        string segment;
        using (WriteAheadLogDirectory log = Open())
        {
            log.BeginConnection();
            log.Append("kept\n"u8);
            log.Append("torn line that never finished\n"u8);
            segment = Assert.Single(log.SegmentFiles);
        }

        // The process died while writing the second entry: only its first bytes reached the file.
        long secondEntry = WriteAheadLogDirectory.HeaderLength + WriteAheadLogDirectory.EntryHeaderLength + 5;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(secondEntry + tornBytes);
        }

        using WriteAheadLogDirectory reopened = Open();

        Assert.Equal(["kept\n"], ReplayAll(reopened, new WriteAheadLogPosition(0, 0)));
        Assert.Equal(new WriteAheadLogPosition(1, 0), reopened.End);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("cut off", StringComparison.Ordinal) && l.Message.Contains(segment, StringComparison.Ordinal));
    }

    [Fact]
    public void Open_ALastEntryWithAWrongChecksum_IsCutOffAsTorn()
    {
        string segment;
        using (WriteAheadLogDirectory log = Open())
        {
            log.BeginConnection();
            log.Append("kept\n"u8);
            log.Append("flipped\n"u8);
            segment = Assert.Single(log.SegmentFiles);
        }

        FlipByte(segment, new FileInfo(segment).Length - 2);

        using WriteAheadLogDirectory reopened = Open();

        Assert.Equal(["kept\n"], ReplayAll(reopened, new WriteAheadLogPosition(0, 0)));
    }

    [Fact]
    public void Open_ALastSegmentWhoseHeaderIsTorn_IsDeleted()
    {
        string first;
        using (WriteAheadLogDirectory log = Open())
        {
            log.BeginConnection();
            log.Append("data\n"u8);
            log.EndConnection();
            first = Assert.Single(log.SegmentFiles);
        }

        string second = Path.Combine(LogPath, "segment-000000000002.wal");
        File.WriteAllBytes(second, "CMPLD"u8.ToArray());

        using WriteAheadLogDirectory reopened = Open();

        Assert.Equal([first], reopened.SegmentFiles);
        Assert.Equal(["data\n"], ReplayAll(reopened, new WriteAheadLogPosition(0, 0)));
    }

    [Fact]
    public void Open_DamageInASegmentBeforeTheLast_IsAnErrorNamingTheFileAndByte()
    {
        string first = FillSegments(out _)[0];
        FlipByte(first, WriteAheadLogDirectory.HeaderLength + WriteAheadLogDirectory.EntryHeaderLength + 3);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => Open(segmentBytes: 4096));

        Assert.Contains(first, error.Message, StringComparison.Ordinal);
        Assert.Contains($"at byte {WriteAheadLogDirectory.HeaderLength}", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ASegmentMissingBetweenOthers_IsAnError()
    {
        IReadOnlyList<string> segments = FillSegments(out _);
        File.Delete(segments[1]);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => Open(segmentBytes: 4096));

        Assert.Contains(segments[2], error.Message, StringComparison.Ordinal);
        Assert.Contains("a segment between them is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrimBefore_DeletesOnlyWholeSegmentsBeforeThePosition_AndReplayFromItStillWorks()
    {
        IReadOnlyList<string> segments = FillSegments(out List<string> lines);
        using WriteAheadLogDirectory log = Open(segmentBytes: 4096);
        Assert.True(segments.Count >= 4, $"expected several segments, got {segments.Count}");

        // A position in the middle of the third segment: the first two lie wholly before it.
        WriteAheadLogPosition thirdStart = StartOf(segments[2]);
        var position = thirdStart with { Offset = thirdStart.Offset + 10 };

        Assert.Equal(2, log.TrimBefore(position));

        Assert.Equal(segments.Skip(2), log.SegmentFiles);
        Assert.Equal(thirdStart, log.Start);
        string all = string.Concat(lines);
        Assert.Equal(all[(int)position.Offset..], Assert.Single(ReplayAll(log, position)));

        // The segment being written is never deleted, even when the position is past it.
        log.TrimBefore(log.End);
        Assert.Single(log.SegmentFiles);
    }

    [Fact]
    public void Replay_FromAPositionPastItsConnectionsEnd_IsAnError()
    {
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();
        log.Append("short\n"u8);
        log.EndConnection();
        log.BeginConnection();
        log.EndConnection();

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => log.Replay(new WriteAheadLogPosition(0, 100)));

        Assert.Contains("ended after 6 bytes, before byte 100", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Replay(new WriteAheadLogPosition(5, 0)));
    }

    [Fact]
    public void Append_LargerThanAnEntry_IsSplit_AndReplaysWhole()
    {
        byte[] big = new byte[WriteAheadLogDirectory.MaxEntryPayload * 2 + 17];
        new Random(10).NextBytes(big);
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();
        log.Append(big);
        log.EndConnection();

        using WriteAheadLogReplay replay = log.Replay(new WriteAheadLogPosition(0, 0));
        Assert.True(replay.TryNextConnection(out _, out Stream stream));
        var copy = new MemoryStream();
        stream.CopyTo(copy);

        Assert.Equal(big, copy.ToArray());
    }

    [Fact]
    public void Append_OnceWarm_AllocatesNothing()
    {
        // The log is written on every receive: it must not allocate per read, whatever the read's size.
        byte[] received = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a received line\n", 1000)));
        using WriteAheadLogDirectory log = Open();
        log.BeginConnection();

        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                log.Append(received.AsSpan(0, 16 + (i * 157 % received.Length)));
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Position_RoundTripsThroughASourcePosition_AndAForeignOneIsRefused()
    {
        var position = new WriteAheadLogPosition(7, 4096);

        SourcePosition written = position.ToSourcePosition("tcp://localhost:9999");

        Assert.Equal("tcp://localhost:9999: write-ahead log at connection 7 at byte 4096", written.Description);
        Assert.Equal(position, WriteAheadLogPosition.FromSourcePosition(SourcePosition.FromBytes(written.ToBytes()), "tcp://localhost:9999"));
        InvalidDataException error = Assert.Throws<InvalidDataException>(
            () => WriteAheadLogPosition.FromSourcePosition(new SourcePosition([1, 2, 3], "file /in.txt at byte 3"), "tcp://localhost:9999"));
        Assert.Contains("not written by a source with a write-ahead log", error.Message, StringComparison.Ordinal);
        Assert.True(new WriteAheadLogPosition(1, 900) < new WriteAheadLogPosition(2, 0));
        Assert.True(new WriteAheadLogPosition(2, 1) > new WriteAheadLogPosition(2, 0));
    }

    private WriteAheadLogDirectory Open(long segmentBytes = WriteAheadLogDirectory.DefaultSegmentBytes) =>
        WriteAheadLogDirectory.Open(LogPath, segmentBytes, _loggerFactory.CreateLogger("wal"));

    // One connection of numbered lines over 4 KiB segments, so it spans several; returns the segment files.
    private IReadOnlyList<string> FillSegments(out List<string> lines)
    {
        lines = [.. Enumerable.Range(0, 600).Select(i => $"line {i:D4} of the connection\n")];
        using WriteAheadLogDirectory log = Open(segmentBytes: 4096);
        log.BeginConnection();
        foreach (string line in lines)
        {
            log.Append(Encoding.UTF8.GetBytes(line));
        }

        log.EndConnection();
        return log.SegmentFiles;
    }

    private static WriteAheadLogPosition StartOf(string segment)
    {
        using var handle = File.OpenHandle(segment);
        return WriteAheadLogDirectory.ReadHeader(handle, RandomAccess.GetLength(handle))!.Value;
    }

    private static List<string> ReplayAll(WriteAheadLogDirectory log, WriteAheadLogPosition from)
    {
        using WriteAheadLogReplay replay = log.Replay(from);
        var connections = new List<string>();
        while (replay.TryNextConnection(out _, out Stream stream))
        {
            connections.Add(ReadToEnd(stream));
        }

        return connections;
    }

    private static string ReadToEnd(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x40));
    }
}
