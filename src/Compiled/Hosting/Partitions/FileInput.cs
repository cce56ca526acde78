using System.Buffers;
using Compiled.Connectors.Files;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Hosting.Partitions;

/// <summary>
/// A source's files split into byte ranges cut at line ends (<see cref="PartitionedFiles"/>): each partition reads its
/// pieces of them in file order with <see cref="RandomAccess"/> at offsets into one reused buffer (no task, no pipe, no
/// thread-pool hop per read), and notes how far the records it ran through reach, the source's position at a boundary.
/// </summary>
internal sealed class FileInput(int source, PartitionedFiles files) : PartitionInput(source)
{
    // The first size of a partition's read buffer; it doubles while one record does not fit.
    private const int BufferBytes = 256 * 1024;

    /// <summary>The files and the partitions' pieces, as the source opened and split them.</summary>
    public PartitionedFiles Files { get; } = files;

    /// <inheritdoc />
    public override int Sections => Files.Sections;

    /// <inheritdoc />
    public override bool Read(int partition, PartitionThreads threads)
    {
        var reads = new PositionedReadBuffer(BufferBytes);
        try
        {
            IReadOnlyList<(int File, long Start, long End)> work = Files.WorkOf(partition);
            for (int piece = 0; piece < work.Count; piece++)
            {
                if (!threads.AwaitSection(partition, this, Files.SectionOf(partition, piece)))
                {
                    return false;
                }

                // At its offset: from a file's start as on one partition, a section's part or a resumed range further in.
                (int file, long start, long end) = work[piece];
                PartitionedFile read = Files.Files[file];
                threads.BeginStream(partition, Source, read.Path, start);
                reads.Clear();
                if (!ReadRange(partition, threads, piece, read.Handle, start, end, reads))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            reads.Return();
        }
    }

    /// <inheritdoc />
    public override void Dispose() => Files.Dispose();

    // Reads [start, end) of one file, piece `piece` of the partition's work, into the buffer and runs it through the
    // partition's loop, the unconsumed tail of a buffer (a record not yet whole) moved to its front before the next read,
    // and notes how far the records run through reach (the source's position at a boundary). Returns false when the run
    // is closing.
    private bool ReadRange(int partition, PartitionThreads threads, int piece, SafeFileHandle file, long start, long end, PositionedReadBuffer reads)
    {
        long offset = start;
        while (true)
        {
            // One record longer than the buffer doubles it; the framer drops or refuses it past its limit, so this stays bounded.
            int read = reads.Fill(file, offset, end - offset);
            offset += read;

            // A file that became shorter than its ranges ends where it ends.
            bool completed = offset >= end || read == 0;
            ReadOnlySequence<byte> sequence = reads.Unconsumed;
            SequencePosition consumed = threads.Process(partition, Source, sequence, completed);
            reads.ConsumeTo(reads.Start + (int)sequence.Slice(sequence.Start, consumed).Length);
            Files.Consumed(partition, piece, offset - reads.Count);
            if (!threads.AfterRead(partition, read))
            {
                return false;
            }

            if (completed)
            {
                return true;
            }
        }
    }
}
