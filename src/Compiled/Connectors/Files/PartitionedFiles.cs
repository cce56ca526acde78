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
    private readonly long[] _offset;   // per partition: the offset in that piece's file of the first byte whose record is not yet in a batch

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

    /// <summary>What partition <paramref name="partition"/> has left to read: the rest of its piece in hand and the pieces after it; empty pieces left out.</summary>
    public List<(int File, long Start, long End)> Remaining(int partition)
    {
        IReadOnlyList<(int File, long Start, long End)> work = _work[partition];
        var left = new List<(int File, long Start, long End)>();
        for (int i = _piece[partition]; i < work.Count; i++)
        {
            (int file, long start, long end) = work[i];
            if (i == _piece[partition])
            {
                start = Math.Max(start, _offset[partition]);
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
