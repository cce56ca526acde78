using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Compiled.Benchmarks.EndToEnd.Harness;

/// <summary>
/// The answer of Nexmark Q1 or Q2 (samples/Nexmark's) over a bid file, worked out here the plain way (each line split
/// at its commas, its numbers parsed, the query's line formatted) and kept beside the file (<c>.q1</c>, <c>.q2</c>) for
/// later runs, as its number of lines and a checksum that does not depend on their order: the sum of a 64-bit hash of
/// each line. A job's output is right when its lines, in any order and over any number of files, have the same number
/// and sum. Q1 writes <c>auction,bidder,price*89/100,dateTime</c> for every bid; Q2 <c>(auction,price)</c> for the
/// bids whose auction is a multiple of 123.
/// </summary>
internal sealed class NexmarkOutput : IExpectedOutput
{
    private readonly string _query;
    private readonly long _bids;
    private readonly long _lines;
    private readonly ulong _checksum;

    /// <summary>Reads the answer of <paramref name="query"/> for <paramref name="bidsPath"/>, working it out first if it is not beside the file.</summary>
    public NexmarkOutput(string query, string bidsPath)
    {
        if (query is not ("q1" or "q2"))
        {
            throw new ArgumentException($"'{query}' is not a query the harness knows the answer of; use q1 or q2.");
        }

        _query = query;
        string path = bidsPath + "." + query;
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"Working out {query} of {bidsPath} into {path} (once; it is reused after).");
            (long bids, long lines, ulong checksum) = Work(query, bidsPath);
            File.WriteAllText(path + ".tmp", string.Create(CultureInfo.InvariantCulture, $"{bids} {lines} {checksum}\n"));
            File.Move(path + ".tmp", path, overwrite: true);
        }

        string[] fields = File.ReadAllText(path).Trim().Split(' ');
        _bids = long.Parse(fields[0], CultureInfo.InvariantCulture);
        _lines = long.Parse(fields[1], CultureInfo.InvariantCulture);
        _checksum = ulong.Parse(fields[2], CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public string Describe() => $"{_bids:N0} bids, {_lines:N0} {_query} lines expected (checksum {_checksum:x16})";

    /// <inheritdoc />
    public (long Count, string Unit)? Events => (_bids, "bids");

    /// <inheritdoc />
    public string? Difference(string directory)
    {
        long lines = 0;
        ulong checksum = 0;
        string? first = null;
        byte[] buffer = new byte[1 << 20];
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            int carried = 0;
            while (true)
            {
                if (carried == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                int read = stream.Read(buffer, carried, buffer.Length - carried);
                int filled = carried + read;
                int cut = read == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                ReadOnlySpan<byte> block = buffer.AsSpan(0, cut);
                while (!block.IsEmpty)
                {
                    int end = block.IndexOf((byte)'\n');
                    ReadOnlySpan<byte> line = end < 0 ? block : block[..end];
                    block = end < 0 ? default : block[(end + 1)..];
                    if (!line.IsEmpty)
                    {
                        first ??= Encoding.UTF8.GetString(line);
                        lines++;
                        checksum += Hash(line);
                    }
                }

                carried = filled - cut;
                buffer.AsSpan(cut, carried).CopyTo(buffer);
                if (read == 0)
                {
                    break;
                }
            }
        }

        return lines == _lines && checksum == _checksum
            ? null
            : $"{lines:N0} lines with the checksum {checksum:x16} were written (the first: '{first}'); the answer is {_lines:N0} lines with the checksum {_checksum:x16}";
    }

    // Every bid through the query, each line it writes hashed as the job's output is.
    private static (long Bids, long Lines, ulong Checksum) Work(string query, string bidsPath)
    {
        long bids = 0, lines = 0;
        ulong checksum = 0;
        foreach (string line in File.ReadLines(bidsPath))
        {
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(',');
            long auction = long.Parse(fields[0], CultureInfo.InvariantCulture);
            long bidder = long.Parse(fields[1], CultureInfo.InvariantCulture);
            long price = long.Parse(fields[2], CultureInfo.InvariantCulture);
            long dateTime = long.Parse(fields[^1], CultureInfo.InvariantCulture);
            bids++;
            string? output = query == "q1"
                ? string.Create(CultureInfo.InvariantCulture, $"{auction},{bidder},{price * 89 / 100},{dateTime}")
                : auction % 123 == 0 ? string.Create(CultureInfo.InvariantCulture, $"({auction},{price})") : null;
            if (output is not null)
            {
                lines++;
                checksum += Hash(Encoding.UTF8.GetBytes(output));
            }
        }

        return (bids, lines, checksum);
    }

    // A 64-bit hash of a line's bytes: 8 at a time, each folded in by a multiply and a shift, then mixed (fmix64).
    private static ulong Hash(ReadOnlySpan<byte> line)
    {
        ulong hash = 0x9E3779B97F4A7C15UL ^ (ulong)line.Length;
        int i = 0;
        for (; i + 8 <= line.Length; i += 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(line[i..])) * 0xFF51AFD7ED558CCDUL;
            hash ^= hash >> 29;
        }

        ulong tail = 0;
        for (int j = i; j < line.Length; j++)
        {
            tail |= (ulong)line[j] << (8 * (j - i));
        }

        hash = (hash ^ tail) * 0xC4CEB9FE1A85EC53UL;
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        return hash ^ (hash >> 33);
    }
}
