using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.Files;

/// <summary>
/// The files a file source gives a run on partitions, and what each partition has left to read of them. Partition p
/// reads its pieces (<see cref="WorkOf"/>: a file's index, a start and an end offset in it) in order, and after each
/// buffer notes how far the records it has run through reach (<see cref="Consumed"/>); at a batch boundary, with every
/// partition parked, what is left (<see cref="Remaining"/>) is the source's position in the batch's checkpoint, and a
/// restart gives each partition back the rest of its pieces.
/// </summary>
/// <remarks>
/// A partition writes its own two progress slots only, between parks; the run's loop reads them only while every
/// partition is parked or has ended, after the hand-over that parking is, so the slots need no lock.
/// </remarks>
internal sealed class PartitionedFiles : IDisposable
{
    private readonly IReadOnlyList<(int File, long Start, long End)>[] _work;
    private readonly int[] _piece;     // per partition: the piece being read
    private readonly long[] _offset;   // per partition: the offset in that piece's file of the first byte whose record it has not run through its loop
    private readonly int[] _pieceAtBoundary;   // _piece at the last batch boundary
    private readonly long[] _offsetAtBoundary; // _offset at the last batch boundary: the first byte whose record is not yet in a batch
    private readonly int[][] _sections; // per partition, per piece: the section it belongs to

    /// <summary>The files, and each partition's pieces of them in the order it reads them.</summary>
    public PartitionedFiles(IReadOnlyList<PartitionedFile> files, IReadOnlyList<(int File, long Start, long End)>[] work)
    {
        Files = files;
        _work = work;
        _piece = new int[work.Length];
        _offset = new long[work.Length];
        for (int p = 0; p < work.Length; p++)
        {
            _offset[p] = work[p].Count > 0 ? work[p][0].Start : 0;
        }

        _pieceAtBoundary = new int[work.Length];
        _offsetAtBoundary = (long[])_offset.Clone();

        (_sections, Sections) = NumberSections(work);
    }

    /// <summary>
    /// How many sections the pieces make (at least 1): runs of the input, in its order, in which each partition's pieces
    /// come after those of the partitions before it (<see cref="SectionOf"/>).
    /// </summary>
    public int Sections { get; }

    /// <summary>
    /// The section piece <paramref name="piece"/> of partition <paramref name="partition"/> belongs to. Taken in the
    /// input's order (file, then offset), the pieces of all partitions fall into sections: a new one starts wherever a
    /// piece belongs to a partition before the previous piece's. Within a section, then, partition p's pieces all come
    /// before partition p + 1's, as with one range per partition; a batch that holds no more than one section is read
    /// by the partitions in the input's order, taken partition by partition. Byte ranges one per partition make one
    /// section; ranges cut per section (<see cref="FileSource.OpenForPartitions(int, long)"/>) make one each, and what
    /// is left of them at a checkpoint makes the same sections again.
    /// </summary>
    public int SectionOf(int partition, int piece) => _sections[partition][piece];

    // Each piece's section: all the pieces in the input's order, a new section wherever the partition goes back.
    private static (int[][] Sections, int Count) NumberSections(IReadOnlyList<(int File, long Start, long End)>[] work)
    {
        var all = new List<(int File, long Start, int Partition, int Piece)>();
        var sections = new int[work.Length][];
        for (int p = 0; p < work.Length; p++)
        {
            sections[p] = new int[work[p].Count];
            for (int i = 0; i < work[p].Count; i++)
            {
                all.Add((work[p][i].File, work[p][i].Start, p, i));
            }
        }

        all.Sort(static (a, b) => a.File != b.File ? a.File.CompareTo(b.File) : a.Start.CompareTo(b.Start));
        int section = 0;
        int last = -1;
        foreach ((_, _, int partition, int piece) in all)
        {
            if (partition < last)
            {
                section++;
            }

            sections[partition][piece] = section;
            last = partition;
        }

        return (sections, section + 1);
    }

    /// <summary>The files, in the order the source reads them; pieces name them by their index here.</summary>
    public IReadOnlyList<PartitionedFile> Files { get; }

    /// <summary>How many partitions read the files.</summary>
    public int Partitions => _work.Length;

    /// <summary>The pieces partition <paramref name="partition"/> reads, in order.</summary>
    public IReadOnlyList<(int File, long Start, long End)> WorkOf(int partition) => _work[partition];

    /// <summary>
    /// Partition <paramref name="partition"/>'s records up to <paramref name="offset"/> in the file of its piece
    /// <paramref name="piece"/> have been run through its loop (called from the partition's thread).
    /// </summary>
    public void Consumed(int partition, int piece, long offset)
    {
        _piece[partition] = piece;
        _offset[partition] = offset;
    }

    /// <summary>
    /// At a batch boundary, every partition parked between two buffers (or ended): what each has run through its loop is
    /// in the batch, and <see cref="Remaining"/> gives what it has left from here until the next boundary, however far
    /// the partitions read on meanwhile (while the batch completes).
    /// </summary>
    public void MarkBoundary()
    {
        _piece.CopyTo(_pieceAtBoundary, 0);
        _offset.CopyTo(_offsetAtBoundary, 0);
    }

    /// <summary>
    /// What partition <paramref name="partition"/> had left to read at the last batch boundary (<see cref="MarkBoundary"/>):
    /// the rest of its piece in hand and the pieces after it; empty pieces left out.
    /// </summary>
    public List<(int File, long Start, long End)> Remaining(int partition)
    {
        IReadOnlyList<(int File, long Start, long End)> work = _work[partition];
        var left = new List<(int File, long Start, long End)>();
        int piece = _pieceAtBoundary[partition];
        for (int i = piece; i < work.Count; i++)
        {
            (int file, long start, long end) = work[i];
            if (i == piece)
            {
                start = Math.Max(start, _offsetAtBoundary[partition]);
            }

            if (start < end)
            {
                left.Add((file, start, end));
            }
        }

        return left;
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        foreach (PartitionedFile file in Files)
        {
            file.Handle.Dispose();
        }
    }
}

/// <summary>A file partitions read: its path, its handle for reads at offsets, and its length and last-write time when opened.</summary>
/// <param name="Path">The file's path.</param>
/// <param name="Handle">The file, opened for reads at offsets from any thread.</param>
/// <param name="Length">Its length when opened.</param>
/// <param name="LastWriteTicks">Its last-write time when opened, UTC ticks.</param>
internal sealed record PartitionedFile(string Path, SafeFileHandle Handle, long Length, long LastWriteTicks);
