using System.Buffers.Text;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Compiled.Benchmarks.Records;

/// <summary>
/// The four numbers of a Nexmark bid (auction and bidder of 4 to 6 digits, a price of up to 7, a 13-digit time in Unix
/// milliseconds) written as UTF-8 text, comma after comma, into a reused buffer as a sink's writer does: by the
/// runtime's <c>long.TryFormat</c> in the invariant culture (what a record's <see cref="IUtf8SpanFormattable"/> calls),
/// by <see cref="Utf8Formatter"/>, and by <see cref="Utf8Format"/>. 4,096 bids an operation; the mean is per bid (four
/// numbers). Run with <c>--filter '*IntegerFormat*'</c>.
/// </summary>
[MemoryDiagnoser]
public class IntegerFormatBenchmarks
{
    private const int Bids = 4096;
    private readonly long[] _numbers = new long[Bids * 4];
    private readonly byte[] _buffer = new byte[Bids * 64];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        for (int i = 0; i < Bids; i++)
        {
            _numbers[4 * i] = random.Next(1_000, 601_000);
            _numbers[(4 * i) + 1] = random.Next(1_000, 201_000);
            _numbers[(4 * i) + 2] = random.Next(100, 10_000_000);
            _numbers[(4 * i) + 3] = 1_436_918_400_000L + random.Next(0, 1_000_000_000);
        }
    }

    /// <summary><c>long.TryFormat</c>, invariant culture.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Bids)]
    public int Runtime()
    {
        int at = 0;
        foreach (long number in _numbers)
        {
            number.TryFormat(_buffer.AsSpan(at), out int written, default, CultureInfo.InvariantCulture);
            at += written;
            _buffer[at++] = (byte)',';
        }

        return at;
    }

    /// <summary><see cref="Utf8Formatter.TryFormat(long, Span{byte}, out int, System.Buffers.StandardFormat)"/>.</summary>
    [Benchmark(OperationsPerInvoke = Bids)]
    public int Utf8Formatter()
    {
        int at = 0;
        foreach (long number in _numbers)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(number, _buffer.AsSpan(at), out int written);
            at += written;
            _buffer[at++] = (byte)',';
        }

        return at;
    }

    /// <summary><see cref="Compiled.Utf8Format.TryFormat(long, Span{byte}, out int)"/>.</summary>
    [Benchmark(OperationsPerInvoke = Bids)]
    public int Utf8Format()
    {
        int at = 0;
        foreach (long number in _numbers)
        {
            Compiled.Utf8Format.TryFormat(number, _buffer.AsSpan(at), out int written);
            at += written;
            _buffer[at++] = (byte)',';
        }

        return at;
    }
}
