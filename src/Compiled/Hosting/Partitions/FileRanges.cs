using Microsoft.Win32.SafeHandles;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A file split into byte ranges cut at line ends, one per partition: range p is <c>[Cut(p), Cut(p + 1))</c>. Each cut
/// is placed just after the first <c>\n</c> at or after the even split point less one byte, so a line belongs to the
/// range its first byte falls in, and every range but the last ends just after a <c>\n</c>: no line is cut, lost or
/// read twice. A line longer than a range leaves the ranges after it empty; a last line without a <c>\n</c> is in the
/// last range, which ends at the file's end.
/// </summary>
internal sealed class FileRanges
{
    // How much is read at a time while looking for the line end after a split point.
    private const int ProbeBytes = 64 * 1024;

    private readonly long[] _cuts;

    private FileRanges(long[] cuts) => _cuts = cuts;

    /// <summary>How many ranges there are.</summary>
    public int Count => _cuts.Length - 1;

    /// <summary>Where range <paramref name="partition"/> starts.</summary>
    public long Start(int partition) => _cuts[partition];

    /// <summary>Where range <paramref name="partition"/> ends (exclusive).</summary>
    public long End(int partition) => _cuts[partition + 1];

    /// <summary>Splits the file behind <paramref name="file"/>, <paramref name="length"/> bytes long, into <paramref name="partitions"/> ranges.</summary>
    public static FileRanges Split(SafeFileHandle file, long length, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var cuts = new long[partitions + 1];
        cuts[partitions] = length;
        byte[] probe = new byte[(int)Math.Min(ProbeBytes, Math.Max(length, 1))];
        for (int p = 1; p < partitions; p++)
        {
            long even = length / partitions * p + Math.Min(p, length % partitions);
            cuts[p] = Math.Max(cuts[p - 1], LineStartAtOrAfter(file, length, even, probe));
        }

        return new FileRanges(cuts);
    }

    // The offset of the first line that starts at or after 'offset': 0 at the start, else just after the first '\n' at
    // or after offset - 1, or the file's end when there is none.
    private static long LineStartAtOrAfter(SafeFileHandle file, long length, long offset, byte[] probe)
    {
        if (offset <= 0)
        {
            return 0;
        }

        long at = offset - 1;
        while (at < length)
        {
            int read = RandomAccess.Read(file, probe, at);
            if (read == 0)
            {
                break;
            }

            int newline = probe.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return at + newline + 1;
            }

            at += read;
        }

        return length;
    }
}
