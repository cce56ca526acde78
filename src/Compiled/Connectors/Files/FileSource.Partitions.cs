using Compiled.Hosting.Partitions;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.Files;

/// <remarks>
/// Partitions. A run on several partitions (<c>--parallelism</c>) reads a single file or the files of a pattern that
/// is not watched by itself, on the partitions' threads: the source opens the files it would read, in the order it
/// would read them, and each file is split into byte ranges cut at line ends. With a checkpoint, the source's position is
/// what each partition has left of those files (<see cref="PartitionedFiles"/>), and a restart resumes on as many
/// partitions. A watched directory or pattern, a device or a pipe, and a source resuming in the middle of a file where a
/// run on one partition left it are read by the source's own streams on one partition.
/// </remarks>
public sealed partial class FileSource
{
    /// <summary>The smallest section <see cref="OpenForPartitions(int, long)"/> cuts: 64 KiB.</summary>
    internal const long MinSectionBytes = 64 * 1024;

    /// <summary>Why the source cannot be split into partitions' byte ranges, or <see langword="null"/> when it can.</summary>
    internal string? WhyNotSplittable()
    {
        if (Watch)
        {
            return $"source {Uri.Text} watches for new files, which partitions do not split yet";
        }

        if (!Replay.IsReplayable)
        {
            return $"source {Uri.Text} is a device or a pipe, which cannot be split into byte ranges";
        }

        return _resume?.Current is { } current
            ? $"source {Uri.Text} resumes in the middle of '{current.Name}', where a run on one partition left it"
            : null;
    }

    /// <summary>
    /// How many bytes the files the source would read hold now, in all: what a run on partitions would split. A file
    /// that is gone or cannot be measured counts 0 (opening it later skips or refuses it as the source's reading does).
    /// </summary>
    internal long BytesToSplit()
    {
        StartOnce();
        long bytes = 0;
        foreach (string path in _pending)
        {
            try
            {
                bytes += new FileInfo(path).Length;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Measured as nothing; OpenForPartitions says what is wrong with it.
            }
        }

        return bytes;
    }

    /// <summary>
    /// How many partitions the checkpoint this source resumes from was written on, or <see langword="null"/> when it
    /// resumes from no checkpoint or from one of a run on one partition. A run resumes on as many partitions as that.
    /// </summary>
    internal int? PartitionsToResume => _resume?.Partitions?.Work.Length;

    /// <summary>
    /// Opens, for reading at offsets from the partitions' threads, every file the source would read, in its order, and
    /// splits them into <paramref name="count"/> partitions' byte ranges cut at line ends; a file of a pattern that is
    /// gone or cannot be read is skipped as the source's own reading skips it. Resuming from a checkpoint written on
    /// partitions, each partition gets back what it had left of the files it was reading (which must be unchanged), and
    /// the files that arrived meanwhile are split after it. Counts each file opened as a stream of the source. The
    /// source keeps what it returns, for its position; the caller disposes it.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A named file, or with <c>onUnreadable=fail</c> any file, cannot be read.</exception>
    /// <exception cref="SourcePositionException">A file being read when the checkpoint was taken is gone or changed.</exception>
    internal PartitionedFiles OpenForPartitions(int count) => OpenForPartitions(count, long.MaxValue);

    /// <summary>
    /// Opens the files as <see cref="OpenForPartitions(int)"/> does, but cuts the fresh ones, laid end to end, into
    /// sections of about <paramref name="sectionBytes"/> (at least <see cref="MinSectionBytes"/>), each split into
    /// <paramref name="count"/> ranges: partition p reads its range of each section in turn, so the partitions move
    /// through the input together (<see cref="PartitionedFiles.SectionOf"/>).
    /// </summary>
    internal PartitionedFiles OpenForPartitions(int count, long sectionBytes)
    {
        StartOnce();
        var files = new List<PartitionedFile>();
        try
        {
            var work = new List<(int File, long Start, long End)>[count];
            for (int p = 0; p < count; p++)
            {
                work[p] = [];
            }

            if (_resume?.Partitions is { } resumed)
            {
                OpenResumed(resumed, files, work);
            }

            int first = files.Count;
            while (_pending.TryDequeue(out string? path))
            {
                if (OpenOrSkip(path, FileOptions.None) is not { } handle)
                {
                    continue;
                }

                files.Add(Opened(path, handle));
                LogOpening(Uri.Text, path, files[^1].Length);
            }

            // The files not being read at the checkpoint (all of them, on a fresh start): laid end to end and split.
            var fresh = new List<(SafeFileHandle, long)>(files.Count - first);
            for (int f = first; f < files.Count; f++)
            {
                fresh.Add((files[f].Handle, files[f].Length));
            }

            // Range s × count + p is partition p's part of section s (one section unless sectionBytes bounds them).
            FileRanges ranges = FileRanges.Split(fresh, count, Math.Max(sectionBytes, MinSectionBytes));
            for (int range = 0; range < ranges.Count; range++)
            {
                foreach ((int file, long start, long end) in ranges.Segments(range))
                {
                    work[range % count].Add((first + file, start, end));
                }
            }

            _partitioned = new PartitionedFiles(files, work);
            return _partitioned;
        }
        catch
        {
            foreach (PartitionedFile file in files)
            {
                file.Handle.Dispose();
            }

            throw;
        }
    }

    // Opens the files the checkpoint's partitions were reading, each of which must be the same file still, and gives
    // each partition back its pieces; takes them off the files the first listing queued.
    private void OpenResumed(PartitionResume resumed, List<PartitionedFile> files, List<(int File, long Start, long End)>[] work)
    {
        var queued = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in _pending)
        {
            queued[System.IO.Path.GetFileName(path)] = path;
        }

        foreach ((string name, FileStamp stamp) in resumed.Files)
        {
            if (!queued.Remove(name, out string? path))
            {
                throw new SourcePositionException(
                    $"Source {Uri.Text} cannot resume from its checkpoint: its partitions were reading '{name}' in '{ResolvedPath}', and that file is gone; " +
                    "put the file back to resume, or start from a new checkpoint directory");
            }

            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (UnauthorizedAccessException error)
            {
                // Not skipped as an unreadable file of a pattern is: its partitions have records of it still to read.
                throw new UnauthorizedAccessException(
                    $"'{path}' cannot be read: permission denied; its partitions were reading it when the checkpoint was taken. " +
                    "Give the user the job runs as read permission on it to resume, or start from a new checkpoint directory", error);
            }

            PartitionedFile file = Opened(path, handle);
            files.Add(file);
            if (file.Length != stamp.Length || file.LastWriteTicks != stamp.LastWriteTicks)
            {
                throw new SourcePositionException(
                    $"Source {Uri.Text} cannot resume from its checkpoint: its partitions were reading '{path}', and the file changed since " +
                    $"(length {stamp.Length} → {file.Length} bytes, last write {Time(stamp.LastWriteTicks)} → {Time(file.LastWriteTicks)}); " +
                    "a file must not change while it is read. Restore the file, or start from a new checkpoint directory");
            }
        }

        for (int p = 0; p < work.Length; p++)
        {
            work[p].AddRange(resumed.Work[p]);
        }

        long left = resumed.Work.Sum(static pieces => pieces.Sum(static piece => piece.End - piece.Start));
        LogResumingPartitions(Uri.Text, work.Length, resumed.Files.Count, left);
        // What is left queued, in the listing's order, are the files that arrived while the job was down.
        string[] listed = [.. _pending];
        _pending.Clear();
        foreach (string path in listed)
        {
            if (queued.ContainsKey(System.IO.Path.GetFileName(path)))
            {
                _pending.Enqueue(path);
            }
        }
    }

    private PartitionedFile Opened(string path, SafeFileHandle handle)
    {
        try
        {
            Counters.Streams++;
            return new PartitionedFile(path, handle, RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle).Ticks);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "{Source}: resuming on {Partitions} partitions, as its checkpoint was written: {Files} files being read, {Bytes} bytes of them left")]
    private partial void LogResumingPartitions(string source, int partitions, int files, long bytes);
}
