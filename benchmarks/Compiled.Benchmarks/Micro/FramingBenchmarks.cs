using System.Buffers;
using BenchmarkDotNet.Attributes;
using Compiled.Benchmarks.Input;
using Compiled.Connectors;
using Compiled.Framing;

namespace Compiled.Benchmarks.Micro;

/// <summary>
/// The first two stages of the word count alone, to see where its time goes: cutting the corpus into lines,
/// then also cutting each line into words; each by <see cref="LineFramer"/> (and <see cref="Utf8Words"/>)
/// as the generated job uses them, and by the hand-written loop's code.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private ReadOnlySequence<byte> _buffer;
    private LineFramer _framer = null!;
    private byte[] _carry = new byte[1024];

    /// <summary>Builds the corpus and a framer, and checks that both ways find the same lines and words.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Corpus corpus = Corpus.Shared;
        _buffer = corpus.Sequence;
        _framer = new LineFramer(FramingOptions.Default, new SourceCounters());
        Check("hand-written lines", HandWrittenLines(), corpus.Lines);
        Check("LineFramer lines", LineFramerLines(), corpus.Lines);
        Check("hand-written words", HandWrittenWords(), corpus.Words);
        Check("LineFramer + Utf8Words words", LineFramerWords(), corpus.Words);
        JitWarmUp.Run(_buffer, prefix =>
        {
            _buffer = prefix;
            HandWrittenLines();
            LineFramerLines();
            HandWrittenWords();
            LineFramerWords();
            _buffer = corpus.Sequence;
        });
    }

    /// <summary>Returns the framer's scratch buffer.</summary>
    [GlobalCleanup]
    public void Cleanup() => _framer.Dispose();

    /// <summary>Lines, hand-written: <c>IndexOf('\n')</c> per segment, straddling lines copied once.</summary>
    [Benchmark(Baseline = true, Description = "Lines: hand-written")]
    [BenchmarkCategory("Framing")]
    [Records(RecordKind.Lines)]
    public long HandWrittenLines()
    {
        var consumer = new LineCounter();
        FrameByHand(_buffer, ref consumer);
        return consumer.Lines;
    }

    /// <summary>Lines, by <see cref="LineFramer.Frame{TConsumer}"/> with a consumer that only counts.</summary>
    [Benchmark(Description = "Lines: LineFramer")]
    [BenchmarkCategory("Framing")]
    [Records(RecordKind.Lines)]
    public long LineFramerLines()
    {
        var consumer = new LineCounter();
        _framer.Reset("memory");
        _framer.Frame(_buffer, isCompleted: true, ref consumer);
        return consumer.Lines;
    }

    /// <summary>Lines and their words, hand-written: the above, then <c>IndexOf(' ')</c> per word.</summary>
    [Benchmark(Baseline = true, Description = "Words: hand-written")]
    [BenchmarkCategory("Framing+Split")]
    [Records(RecordKind.Lines)]
    public long HandWrittenWords()
    {
        var consumer = new HandWrittenWordCounter();
        FrameByHand(_buffer, ref consumer);
        return consumer.Words;
    }

    /// <summary>Lines and their words as the generated loop gets them: <see cref="LineFramer"/>, then <c>foreach</c> over <see cref="Utf8Words"/>.</summary>
    [Benchmark(Description = "Words: LineFramer + Utf8Words")]
    [BenchmarkCategory("Framing+Split")]
    [Records(RecordKind.Lines)]
    public long LineFramerWords()
    {
        var consumer = new Utf8WordCounter();
        _framer.Reset("memory");
        _framer.Frame(_buffer, isCompleted: true, ref consumer);
        return consumer.Words;
    }

    private static void Check(string what, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what}: {actual:N0}, expected {expected:N0}.");
        }
    }

    // The hand-written word count's framing loop (RuntimeTableLoopWordCount.Run), with the consumer as a
    // constrained generic so the JIT specializes and inlines it, as LineFramer's caller does.
    private void FrameByHand<TConsumer>(in ReadOnlySequence<byte> buffer, ref TConsumer consumer)
        where TConsumer : struct, IRecordConsumer
    {
        int carried = 0;
        foreach (ReadOnlyMemory<byte> memory in buffer)
        {
            ReadOnlySpan<byte> span = memory.Span;
            if (carried > 0)
            {
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    Carry(ref carried, span);
                    continue;
                }

                Carry(ref carried, span[..end]);
                consumer.OnRecord(TrimCarriageReturn(_carry.AsSpan(0, carried)));
                carried = 0;
                span = span[(end + 1)..];
            }

            while (true)
            {
                int end = span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                consumer.OnRecord(TrimCarriageReturn(span[..end]));
                span = span[(end + 1)..];
            }

            if (!span.IsEmpty)
            {
                Carry(ref carried, span);
            }
        }

        if (carried > 0)
        {
            consumer.OnRecord(TrimCarriageReturn(_carry.AsSpan(0, carried)));
        }
    }

    private static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Carry(ref int carried, ReadOnlySpan<byte> part)
    {
        if (_carry.Length - carried < part.Length)
        {
            Array.Resize(ref _carry, Math.Max(_carry.Length * 2, carried + part.Length));
        }

        part.CopyTo(_carry.AsSpan(carried));
        carried += part.Length;
    }

    /// <summary>The empty consumer: counts lines, nothing else.</summary>
    private struct LineCounter : IRecordConsumer
    {
        public long Lines;

        public void OnRecord(ReadOnlySpan<byte> record) => Lines++;
    }

    /// <summary>Counts words with <c>IndexOf(' ')</c>, as the hand-written word count splits them.</summary>
    private struct HandWrittenWordCounter : IRecordConsumer
    {
        public long Words;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            while (true)
            {
                int space = record.IndexOf((byte)' ');
                if (space < 0)
                {
                    Words += record.IsEmpty ? 0 : 1;
                    return;
                }

                Words += space > 0 ? 1 : 0;
                record = record[(space + 1)..];
            }
        }
    }

    /// <summary>Counts words with <see cref="Utf8Words"/>, as the generated loop's <c>[FlatMap]</c> stage splits them.</summary>
    private struct Utf8WordCounter : IRecordConsumer
    {
        public long Words;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            foreach (ReadOnlySpan<byte> word in new Utf8Words(record, (byte)' '))
            {
                Words++;
            }
        }
    }
}
