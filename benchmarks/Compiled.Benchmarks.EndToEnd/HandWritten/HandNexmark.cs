using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Benchmarks.EndToEnd.HandWritten;

/// <summary>
/// Nexmark Q1 and Q2 (samples/Nexmark's, on its bid file) as a performance engineer would write them for these jobs,
/// using nothing of the runtime: the bid file's <c>auction,bidder,price,channel,url,dateTime</c> lines read with
/// <see cref="RandomAccess"/> in 4 MiB blocks, on one thread or on N (the file split into byte ranges cut at line ends,
/// one a thread), each line cut at its commas and only the numbers the query computes with parsed; every other field
/// is copied as it came. Each thread writes its lines to a part file of its own, <c>part-N.txt</c> in the output
/// directory, in the format samples/Nexmark's file sink writes, and flushes it to disk as that sink does:
/// <list type="bullet">
/// <item>Q1 (currency conversion): <c>auction,bidder,price*89/100,dateTime</c> for every bid;</item>
/// <item>Q2 (selection): <c>(auction,price)</c> for the bids whose auction is a multiple of 123.</item>
/// </list>
/// </summary>
internal static class HandNexmark
{
    private const long AuctionDivisor = 123;

    /// <summary>Runs <paramref name="query"/> (<c>q1</c> or <c>q2</c>) over <paramref name="bidsPath"/> on <paramref name="threads"/> threads into <paramref name="outputDirectory"/>.</summary>
    public static void Run(string query, string bidsPath, string outputDirectory, int threads)
    {
        bool q1 = query switch
        {
            "q1" => true,
            "q2" => false,
            _ => throw new ArgumentException($"'{query}' is not a query of the hand-written Nexmark job; use q1 or q2."),
        };
        Directory.CreateDirectory(outputDirectory);
        LineRanges.OnThreads(bidsPath, threads, (file, part, start, end) =>
        {
            using var writer = new PartWriter(Path.Combine(outputDirectory, "part-" + part.ToString(CultureInfo.InvariantCulture) + ".txt"));
            LineRanges.Read(file, start, end, 0, q1 ? writer.Q1Lines : writer.Q2Lines);
            return 0;
        });
    }

    // One thread's output: a 1 MiB buffer of lines, written to its part file when full and at the end.
    private sealed class PartWriter(string path) : IDisposable
    {
        private const int Room = 1 << 20;
        private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        private readonly byte[] _text = new byte[Room];
        private int _written;

        public void Q1Lines(byte[] buffer, int length)
        {
            ReadOnlySpan<byte> block = buffer.AsSpan(0, length);
            while (!block.IsEmpty)
            {
                int end = block.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? block : block[..end];
                block = end < 0 ? default : block[(end + 1)..];
                if (!line.IsEmpty)
                {
                    Q1(line);
                }
            }
        }

        public void Q2Lines(byte[] buffer, int length)
        {
            ReadOnlySpan<byte> block = buffer.AsSpan(0, length);
            while (!block.IsEmpty)
            {
                int end = block.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? block : block[..end];
                block = end < 0 ? default : block[(end + 1)..];
                if (!line.IsEmpty)
                {
                    Q2(line);
                }
            }
        }

        public void Flush()
        {
            _file.Write(_text, 0, _written);
            _written = 0;
        }

        public void Dispose()
        {
            Flush();
            _file.Flush(flushToDisk: true);
            _file.Dispose();
        }

        // auction,bidder,price,channel,url,dateTime → auction,bidder,price*89/100,dateTime
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Q1(ReadOnlySpan<byte> line)
        {
            int auctionEnd = line.IndexOf((byte)',');
            int bidderEnd = auctionEnd + 1 + line[(auctionEnd + 1)..].IndexOf((byte)',');
            int at = bidderEnd + 1;
            long price = Digits(line, ref at);
            int timeStart = line.LastIndexOf((byte)',') + 1;
            if (auctionEnd <= 0 || bidderEnd <= auctionEnd || line[at] != (byte)',' || timeStart <= at)
            {
                Malformed(line);
            }

            Span<byte> text = Reserve(line.Length + 24);
            line[..(bidderEnd + 1)].CopyTo(text);
            int written = bidderEnd + 1;
            Utf8Formatter.TryFormat(price * 89 / 100, text[written..], out int digits);
            written += digits;
            text[written++] = (byte)',';
            line[timeStart..].CopyTo(text[written..]);
            written += line.Length - timeStart;
            text[written++] = (byte)'\n';
            _written += written;
        }

        // auction,bidder,price,... → (auction,price) when the auction is a multiple of 123
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Q2(ReadOnlySpan<byte> line)
        {
            int at = 0;
            long auction = Digits(line, ref at);
            if (at == 0 || at >= line.Length || line[at] != (byte)',')
            {
                Malformed(line);
            }

            if (auction % AuctionDivisor != 0)
            {
                return;
            }

            int priceStart = at + 1 + line[(at + 1)..].IndexOf((byte)',') + 1;
            int priceEnd = priceStart + line[priceStart..].IndexOf((byte)',');
            if (priceStart <= at + 1 || priceEnd <= priceStart)
            {
                Malformed(line);
            }

            Span<byte> text = Reserve(line.Length + 4);
            text[0] = (byte)'(';
            line[..at].CopyTo(text[1..]);
            int written = at + 1;
            text[written++] = (byte)',';
            line[priceStart..priceEnd].CopyTo(text[written..]);
            written += priceEnd - priceStart;
            text[written++] = (byte)')';
            text[written++] = (byte)'\n';
            _written += written;
        }

        private Span<byte> Reserve(int bytes)
        {
            if (_text.Length - _written < bytes)
            {
                Flush();
            }

            return _text.AsSpan(_written);
        }

        // The number whose digits start at `at`; `at` is left on the first byte that is not a digit.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static long Digits(ReadOnlySpan<byte> line, ref int at)
        {
            long value = 0;
            uint digit;
            while (at < line.Length && (digit = (uint)(line[at] - '0')) <= 9)
            {
                value = (value * 10) + digit;
                at++;
            }

            return value;
        }

        private static void Malformed(ReadOnlySpan<byte> line) =>
            throw new InvalidDataException($"'{System.Text.Encoding.UTF8.GetString(line)}' is not a bid line (auction,bidder,price,channel,url,dateTime); give samples/Nexmark's bids.csv.");
    }
}
