using Microsoft.Win32.SafeHandles;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A source's files, laid end to end in the order the source reads them, split into byte ranges cut at line ends, one
/// per partition: range p is <c>[Start(p), End(p))</c> in offsets over all the files together, and
/// <see cref="Segments"/> gives the pieces of each file it holds. Each cut is placed just after the first <c>\n</c> at
/// or after the even split point less one byte (or at the start of the next file when the rest of the file has none),
/// so a line belongs to the range its first byte falls in: no line is cut, lost or read twice. Since partition p's
/// range comes before partition p + 1's in the source's own order, the keys the partitions see first, taken
/// partition by partition, come in the order one partition sees them first.
/// </summary>
/// <remarks>
/// A line longer than a range leaves the ranges after it empty; a last line without a <c>\n</c> ends where its file
/// ends, since a file's end is also a record's.
/// </remarks>
internal sealed class FileRanges
{
    // How much is read at a time while looking for the line end after a split point.
    private const int ProbeBytes = 64 * 1024;

    private readonly long[] _cuts;       // global offsets: range p is [_cuts[p], _cuts[p + 1])
    private readonly long[] _fileStarts; // global offset of each file's first byte, then the total length

    private FileRanges(long[] cuts, long[] fileStarts)
    {
        _cuts = cuts;
        _fileStarts = fileStarts;
    }

    /// <summary>How many ranges there are.</summary>
    public int Count => _cuts.Length - 1;

    /// <summary>Where range <paramref name="partition"/> starts, over all the files laid end to end.</summary>
    public long Start(int partition) => _cuts[partition];

    /// <summary>Where range <paramref name="partition"/> ends (exclusive), over all the files laid end to end.</summary>
    public long End(int partition) => _cuts[partition + 1];

    /// <summary>
    /// The pieces of range <paramref name="partition"/>, in file order: each a file's index and the offsets within it
    /// (start inclusive, end exclusive); empty pieces are left out.
    /// </summary>
    public IEnumerable<(int File, long Start, long End)> Segments(int partition)
    {
        long start = _cuts[partition];
        long end = _cuts[partition + 1];
        for (int file = 0; file < _fileStarts.Length - 1; file++)
        {
            long from = Math.Max(start, _fileStarts[file]);
            long to = Math.Min(end, _fileStarts[file + 1]);
            if (from < to)
            {
                yield return (file, from - _fileStarts[file], to - _fileStarts[file]);
            }
        }
    }

    /// <summary>Splits one file, <paramref name="length"/> bytes long, into <paramref name="partitions"/> ranges.</summary>
    public static FileRanges Split(SafeFileHandle file, long length, int partitions) =>
        Split([(file, length)], partitions);

    /// <summary>Splits <paramref name="files"/>, laid end to end in this order, into <paramref name="partitions"/> ranges.</summary>
    public static FileRanges Split(IReadOnlyList<(SafeFileHandle Handle, long Length)> files, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var fileStarts = new long[files.Count + 1];
        for (int f = 0; f < files.Count; f++)
        {
            fileStarts[f + 1] = fileStarts[f] + files[f].Length;
        }

        long total = fileStarts[files.Count];
        var cuts = new long[partitions + 1];
        cuts[partitions] = total;
        byte[] probe = new byte[(int)Math.Min(ProbeBytes, Math.Max(total, 1))];
        for (int p = 1; p < partitions; p++)
        {
            long even = total / partitions * p + Math.Min(p, total % partitions);
            cuts[p] = Math.Max(cuts[p - 1], LineStartAtOrAfter(files, fileStarts, even, probe));
        }

        return new FileRanges(cuts, fileStarts);
    }

    // The global offset of the first line that starts at or after global 'offset': the start of the file it falls in
    // when it is that file's first byte, else just after the first '\n' at or after offset - 1 in that file, or the
    // file's end (the next file's start) when there is none.
    private static long LineStartAtOrAfter(IReadOnlyList<(SafeFileHandle Handle, long Length)> files, long[] fileStarts, long offset, byte[] probe)
    {
        int file = 0;
        while (file < files.Count - 1 && fileStarts[file + 1] <= offset)
        {
            file++;
        }

        long local = offset - fileStarts[file];
        if (local <= 0)
        {
            return fileStarts[file];
        }

        (SafeFileHandle handle, long length) = files[file];
        long at = local - 1;
        while (at < length)
        {
            int read = RandomAccess.Read(handle, probe.AsSpan(0, (int)Math.Min(probe.Length, length - at)), at);
            if (read == 0)
            {
                break;
            }

            int newline = probe.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return fileStarts[file] + at + newline + 1;
            }

            at += read;
        }

        return fileStarts[file + 1];
    }
}
