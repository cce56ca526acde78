using System.Buffers;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Tests.Pipelines;

namespace Compiled.Tests.Records.Csv;

/// <summary>A record's generated <c>TryReadCsv</c>, as a test calls it.</summary>
internal delegate bool CsvRead<T>(CsvRecordReader reader, ReadOnlySpan<byte> line, out T value);

/// <summary>
/// Runs CSV bytes through the real <see cref="LineFramer"/> and a record's generated parser, as a source's fused loop
/// does, and hands each record to a callback while it is current (its <see cref="Utf8Text"/> fields still readable).
/// </summary>
internal static class CsvFeed
{
    public static void Read<T>(byte[] input, CsvRecordReader reader, CsvRead<T> read, Action<T> each, int segmentSize = 0)
    {
        using var framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        framer.Reset("input.csv");
        reader.BeginStream("input.csv");
        var consumer = new Consumer<T>(reader, read, each);
        ReadOnlySequence<byte> buffer = segmentSize > 0 ? Segments.Split(input, segmentSize) : new ReadOnlySequence<byte>(input);
        framer.Frame(buffer, isCompleted: true, ref consumer);
    }

    private readonly struct Consumer<T>(CsvRecordReader reader, CsvRead<T> read, Action<T> each) : IRecordConsumer
    {
        public void OnRecord(ReadOnlySpan<byte> record)
        {
            if (read(reader, record, out T value))
            {
                each(value);
            }
        }
    }
}
