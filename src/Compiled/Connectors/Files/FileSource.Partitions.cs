using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.Files;

/// <remarks>
/// Partitions. A run on several partitions (<c>--parallelism</c>) reads a single file or the files of a pattern that
/// is not watched by itself, on the partitions' threads: the source opens the files it would read, in the order it
/// would read them, and each file is split into byte ranges cut at line ends. A watched directory or pattern, a device
/// or a pipe, and a source resuming from a checkpoint are read by the source's own streams on one partition.
/// </remarks>
public sealed partial class FileSource
{
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

        return _resume is null ? null : $"source {Uri.Text} resumes from a checkpoint's position";
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
    /// Opens, for reading at offsets from the partitions' threads, every file the source would read, in its order; a
    /// file of a pattern that is gone or cannot be read is skipped as the source's own reading skips it. The caller
    /// disposes the handles. Counts each file opened as a stream of the source.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A named file, or with <c>onUnreadable=fail</c> any file, cannot be read.</exception>
    internal List<(string Path, SafeFileHandle Handle)> OpenForPartitions()
    {
        StartOnce();
        var files = new List<(string, SafeFileHandle)>();
        try
        {
            while (_pending.TryDequeue(out string? path))
            {
                if (OpenOrSkip(path, FileOptions.None) is not { } handle)
                {
                    continue;
                }

                files.Add((path, handle));
                Counters.Streams++;
                LogOpening(Uri.Text, path, RandomAccess.GetLength(handle));
            }

            return files;
        }
        catch
        {
            foreach ((_, SafeFileHandle handle) in files)
            {
                handle.Dispose();
            }

            throw;
        }
    }
}
