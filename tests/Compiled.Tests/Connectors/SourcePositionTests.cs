using System.IO.Pipelines;
using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;

namespace Compiled.Tests.Connectors;

/// <summary>The opaque position a source reports: its stored form, its equality, and the sources that cannot report one.</summary>
public sealed class SourcePositionTests
{
    [Fact]
    public void SourcePosition_RoundTripsThroughBytes()
    {
        byte[] payload = [1, 0, 255, 7, 42];
        var position = new SourcePosition(payload, "partition 3 at offset 1 234 — ünïcode");

        SourcePosition read = SourcePosition.FromBytes(position.ToBytes());

        Assert.Equal(position, read);
        Assert.Equal(payload, read.Payload.ToArray());
        Assert.Equal("partition 3 at offset 1 234 — ünïcode", read.ToString());
        Assert.Equal(position.GetHashCode(), read.GetHashCode());
    }

    [Fact]
    public void SourcePosition_IsEqualByPayloadOnly_AndCopiesIt()
    {
        byte[] payload = [1, 2, 3];
        var position = new SourcePosition(payload, "one");
        payload[0] = 9;

        Assert.Equal(new SourcePosition([1, 2, 3], "described otherwise"), position);
        Assert.NotEqual(new SourcePosition([1, 2, 4], "one"), position);
        Assert.Equal(new SourcePosition([], "empty"), SourcePosition.FromBytes(new SourcePosition([], "empty").ToBytes()));
    }

    [Fact]
    public void SourcePosition_DamagedBytes_AreRefusedSayingWhat()
    {
        byte[] bytes = new SourcePosition([1, 2, 3], "pos").ToBytes();

        Assert.Equal(
            "The source position is damaged: it is 4 bytes long, shorter than the 9 bytes of an empty position; the checkpoint that holds it cannot be used: move it away to resume from an older checkpoint, or start from a new checkpoint directory.",
            Assert.Throws<InvalidDataException>(() => SourcePosition.FromBytes(bytes.AsSpan(0, 4))).Message);
        Assert.Equal(
            "The source position is damaged: its payload claims 3 bytes, but 2 follow; the checkpoint that holds it cannot be used: move it away to resume from an older checkpoint, or start from a new checkpoint directory.",
            Assert.Throws<InvalidDataException>(() => SourcePosition.FromBytes(bytes.AsSpan(0, bytes.Length - 1))).Message);

        byte[] future = (byte[])bytes.Clone();
        future[0] = 2;
        Assert.StartsWith(
            "The source position is of version 2, and this runtime reads version 1; resume with the version of Compiled that wrote the checkpoint",
            Assert.Throws<InvalidDataException>(() => SourcePosition.FromBytes(future)).Message,
            StringComparison.Ordinal);

        byte[] longDescription = (byte[])bytes.Clone();
        longDescription[1] = 200;
        Assert.Contains("its description claims 200 bytes", Assert.Throws<InvalidDataException>(() => SourcePosition.FromBytes(longDescription)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stdin_IsNotReplayable_SayingWhy()
    {
        Source source = ConnectorRegistry.CreateSource("stdin:", new SourceContext { OpenStandardInput = () => new MemoryStream(Encoding.UTF8.GetBytes("a\n")) });

        Assert.Equal(SourceReplay.NotReplayable("standard input cannot be read again"), source.Replay);
        Assert.Equal(
            "Source stdin: is not replayable: standard input cannot be read again; run it without a checkpoint, or read the input from a replayable source such as a file.",
            Assert.Throws<NotSupportedException>(source.GetPosition).Message);
        Assert.Throws<NotSupportedException>(() => source.ResumeFrom(new SourcePosition([], "none")));
    }

    [Fact]
    public void Tcp_IsNotReplayable_SayingItNeedsTheWriteAheadLog()
    {
        Source source = ConnectorRegistry.CreateSource("tcp://localhost:9999", new SourceContext());

        Assert.False(source.Replay.IsReplayable);
        Assert.Equal(
            "a connection cannot be read again, its sender does not send what it sent again; write tcp://host:port?wal=true to keep a write-ahead log of the received data in the checkpoint directory",
            source.Replay.Reason);
        Assert.Throws<NotSupportedException>(source.GetPosition);
    }

    [Fact]
    public void SourceStream_Advance_CountsConsumedBytesUntilItsEnd()
    {
        var stream = new SourceStream("s", System.IO.Pipelines.PipeReader.Create(new MemoryStream()));
        stream.Advance(10, ended: false);
        stream.Advance(0, ended: false);
        stream.Advance(5, ended: true);

        Assert.Equal(15, stream.Consumed);
        Assert.True(stream.Ended);
        Assert.Throws<InvalidOperationException>(() => stream.Advance(1, ended: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SourceStream("t", System.IO.Pipelines.PipeReader.Create(new MemoryStream())).Advance(-1, ended: false));
    }

    [Fact]
    public async Task ReadingLoop_ManySmallSegments_StreamConsumedEndsAtTheLastWholeRecord()
    {
        using var deadline = Eventually.Deadline();

        // 16-byte segments: records straddle segments, and the reader hands consumed segments back after each buffer.
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 500).Select(i => $"record {i}\r\n")) + "tail without end");
        var source = new OneStreamSource(PipeReader.Create(new MemoryStream(text), new StreamPipeReaderOptions(bufferSize: 16, minimumReadSize: 8)));
        await using var reader = new LaneReader(source);

        await reader.ReadAtLeastAsync(250, deadline.Token);
        SourceStream stream = source.Stream!;
        int records = reader.Records.Count;
        Assert.False(stream.Ended);
        Assert.Equal(Encoding.UTF8.GetByteCount(string.Concat(Enumerable.Range(0, records).Select(i => $"record {i}\r\n"))), stream.Consumed);

        await reader.ReadToEndAsync(deadline.Token);
        Assert.True(stream.Ended);
        Assert.Equal(text.Length, stream.Consumed);
        Assert.Equal(501, reader.Records.Count);
    }

    // A source of one stream over a given reader.
    private sealed class OneStreamSource(PipeReader reader) : Source(ConnectorUri.Parse("test:", "source"), new SourceContext())
    {
        private bool _given;

        public SourceStream? Stream { get; private set; }

        public override ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken)
        {
            if (_given)
            {
                return new ValueTask<SourceStream?>((SourceStream?)null);
            }

            _given = true;
            Stream = new SourceStream("test:", reader);
            return new ValueTask<SourceStream?>(Stream);
        }
    }
}
