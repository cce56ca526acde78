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
/// <para>
/// Cut into sections (<see cref="Split(IReadOnlyList{ValueTuple{SafeFileHandle, long}}, int, long)"/>), the files are
/// first cut at line ends every so many bytes, and each section is split into one range per partition: range
/// <c>s × N + p</c> is partition p's part of section s, so the partitions move through the input together, a section at
/// a time, instead of partition p starting p/N of the way in.
/// </para>
/// <para>
/// A line longer than a range leaves the ranges after it empty; a last line without a <c>\n</c> ends where its file
/// ends, since a file's end is also a record's.
/// </para>
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

    /// <summary>How many ranges there are: one per partition per section.</summary>
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
    public static FileRanges Split(IReadOnlyList<(SafeFileHandle Handle, long Length)> files, int partitions) =>
        Split(files, partitions, long.MaxValue);

    /// <summary>
    /// Cuts <paramref name="files"/>, laid end to end in this order, into sections of about
    /// <paramref name="sectionBytes"/> each (cut at line ends, the last one shorter), and splits each section into
    /// <paramref name="partitions"/> ranges: range <c>s × partitions + p</c> is partition p's part of section s.
    /// </summary>
    public static FileRanges Split(IReadOnlyList<(SafeFileHandle Handle, long Length)> files, int partitions, long sectionBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sectionBytes, 1);
        var fileStarts = new long[files.Count + 1];
        for (int f = 0; f < files.Count; f++)
        {
            fileStarts[f + 1] = fileStarts[f] + files[f].Length;
        }

        long total = fileStarts[files.Count];
        long sections = Math.Max(1, total / sectionBytes + (total % sectionBytes == 0 ? 0 : 1));
        var cuts = new long[(sections * partitions) + 1];
        cuts[^1] = total;
        byte[] probe = new byte[(int)Math.Min(ProbeBytes, Math.Max(total, 1))];
        long sectionStart = 0;
        for (long s = 0; s < sections; s++)
        {
            // The section's end, at the line end after the even cut (the input's end for the last one); then its ranges.
            long sectionEnd = s == sections - 1 ? total : Math.Max(sectionStart, LineStartAtOrAfter(files, fileStarts, (s + 1) * sectionBytes, probe));
            long length = sectionEnd - sectionStart;
            int first = (int)(s * partitions);
            cuts[first] = sectionStart;
            for (int p = 1; p < partitions; p++)
            {
                long even = sectionStart + (length / partitions * p) + Math.Min(p, length % partitions);
                cuts[first + p] = Math.Max(cuts[first + p - 1], LineStartAtOrAfter(files, fileStarts, even, probe));
            }

            sectionStart = sectionEnd;
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
