using System.Globalization;
using System.Text;
using Compiled.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Compiled.Connectors.Files;

/// <remarks>
/// <para>
/// Positions. A file source is replayable (unless its file is a device or a pipe). Its <see cref="SourcePosition"/>
/// holds the files it has finished with, each by name, length and last-write time, and the file it is reading, with
/// the same stamp and the byte offset of the first byte whose record is not yet in a batch. For one file that is the
/// file and its offset, or "read to its end"; for a pattern, the files of it already read; for a watched directory,
/// the files read or skipped at the start. A watched source forgets a finished file once a listing no longer shows
/// it, so a position is bounded by the directory's size, as the source's memory is: a directory that receives files
/// for months should have them moved away or deleted once read. (A watermark of last-write times, which Spark keeps,
/// would bound it by time instead, but would silently skip a file moved in with an old last-write time.)
/// </para>
/// <para>
/// Resuming (<see cref="Source.ResumeFrom"/>): the files of the position whose name, length and last-write time are
/// unchanged are skipped; the file in progress is opened at its offset; every other file the pattern or directory
/// lists is read whole, once, in the source's usual order, after the file in progress: the files that arrived while
/// the job was down. A finished file whose length or last-write time differs is a new file and is read whole again.
/// The file in progress must be the same file: if it is shorter than the offset, or its length or last-write time
/// changed, resuming fails with a <see cref="SourcePositionException"/>, since its records cannot be matched to
/// what was read; if it is gone, a single file or an unwatched pattern fails the same way, and a watched source logs
/// a warning and goes on, as when a listed file vanishes before it is read.
/// </para>
/// </remarks>
public sealed partial class FileSource
{
    // The layout of the payload, written first and checked on resume: 1 for a run on one partition, 2 for a run on
    // several, which adds the files the partitions are reading and what each has left of them.
    private const byte PositionVersion = 1;
    private const byte PartitionedPositionVersion = 2;

    // The files a run on partitions reads, with each partition's progress, when it does.
    private PartitionedFiles? _partitioned;

    // The files done with (read, or skipped at the start) by name, with the stamp they had.
    private readonly Dictionary<string, FileStamp> _handled = new(StringComparer.Ordinal);
    private CurrentFile? _current;
    private ResumePoint? _resume;
    private ResumeAt? _resumeAt;

    /// <summary>
    /// A file source is replayable, unless its target is a device or a pipe (<c>file:///dev/stdin</c>), which
    /// cannot be read again.
    /// </summary>
    public override SourceReplay Replay =>
        _unseekable || (Kind == FileSourceKind.File && IsDeviceOrPipe(ResolvedPath))
            ? SourceReplay.NotReplayable($"'{ResolvedPath}' is a device or a pipe, which cannot be read again")
            : SourceReplay.Replayable;

    /// <summary>
    /// The files finished with, and the file being read with the offset of the first byte whose record has not been
    /// handed to the job (<see cref="SourceStream.Consumed"/>). Lists the directory if the source has not started.
    /// </summary>
    /// <exception cref="NotSupportedException">The file is a device or a pipe.</exception>
    public override SourcePosition GetPosition()
    {
        if (!Replay.IsReplayable)
        {
            return base.GetPosition();
        }

        StartOnce();
        if (_partitioned is { } partitioned)
        {
            return PartitionedPosition(partitioned);
        }

        FinishCurrent();

        // The file in progress: the one being read, or, before a resumed source has opened it, the one it resumes in.
        CurrentPoint? inProgress =
            _current is { } current ? new CurrentPoint(current.Name, current.Stamp, current.Offset)
            : _resumeAt is { } at ? new CurrentPoint(System.IO.Path.GetFileName(at.Path), at.Stamp, at.Offset)
            : null;
        return new SourcePosition(Encode(_handled, inProgress), Describe(_handled.Count, inProgress?.Name, inProgress?.Offset));
    }

    /// <summary>
    /// Continues from <paramref name="position"/>: skips the files it finished, seeks into the file it was reading, and
    /// reads every other file once. See the remarks on positions for what a file that changed meanwhile does.
    /// </summary>
    /// <exception cref="InvalidDataException">The position was written by another kind of source, or for another path or pattern.</exception>
    /// <exception cref="InvalidOperationException">The source has started reading.</exception>
    public override void ResumeFrom(SourcePosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (_started)
        {
            throw new InvalidOperationException($"Source {Uri.Text} has started reading; give it the position to resume from before its first stream is asked for.");
        }

        _resume = Decode(position);
    }

    // The stream handed out last has been read to its end: its file is done.
    private void FinishCurrent()
    {
        if (_current is { Stream.Ended: true } current)
        {
            _handled[current.Name] = current.Stamp;
            _current = null;
        }
    }

    // A file that cannot be read and is skipped stays skipped after a restart.
    private void MarkSkipped(string path)
    {
        try
        {
            var info = new FileInfo(path);
            _handled[System.IO.Path.GetFileName(path)] = new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Gone or out of reach meanwhile: a restart will find it so again, or read it if it can.
        }
    }

    // A watched source forgets the finished files a listing no longer shows.
    private void ForgetUnlisted(HashSet<string> listed)
    {
        List<string>? gone = null;
        foreach (string name in _handled.Keys)
        {
            if (!listed.Contains(name))
            {
                (gone ??= []).Add(name);
            }
        }

        foreach (string name in gone ?? [])
        {
            _handled.Remove(name);
        }
    }

    // The first listing of a resumed source: what the position finished is skipped, the file in progress comes first,
    // at its offset, and every other file after it.
    private void StartFrom(ResumePoint resume)
    {
        if (Kind == FileSourceKind.File)
        {
            string name = System.IO.Path.GetFileName(ResolvedPath);
            if (resume.Current is { } inProgress)
            {
                _resumeAt = new ResumeAt(ResolvedPath, inProgress.Stamp, inProgress.Offset);
                _pending.Enqueue(ResolvedPath);
            }
            else if (resume.Handled.TryGetValue(name, out FileStamp done))
            {
                _handled[name] = done;
            }
            else
            {
                _pending.Enqueue(ResolvedPath);
            }

            LogResumed(Uri.Text, Describe(resume.Handled.Count, resume.Current?.Name, resume.Current?.Offset), _pending.Count);
            return;
        }

        QueueListed(List(), resume.Handled, resume.Current);
        LogResumed(Uri.Text, Describe(resume.Handled.Count, resume.Current?.Name, resume.Current?.Offset), _pending.Count);
    }

    // The first listing of a pattern or a directory, fresh or resumed. Every listed file is remembered, so that polls
    // pick up only what comes after; a file in done with an unchanged stamp is done; the file in progress is queued
    // first, at its offset; every other file after it, in the source's usual order: a pattern's files by name, like a
    // shell's expansion, a directory's in the order they arrived, as later polls deliver them.
    private void QueueListed(List<Entry> entries, Dictionary<string, FileStamp> done, CurrentPoint? current)
    {
        var fresh = new List<Entry>();
        Entry? found = null;
        foreach (Entry entry in entries)
        {
            _known.Add(entry.Name);
            if (current is { } inProgress && inProgress.Name == entry.Name)
            {
                found = entry;
            }
            else if (done.TryGetValue(entry.Name, out FileStamp stamp) && stamp == entry.Stamp)
            {
                _handled[entry.Name] = stamp;
            }
            else
            {
                fresh.Add(entry);
            }
        }

        if (current is { } reading)
        {
            if (found is { } entry)
            {
                _resumeAt = new ResumeAt(entry.Path, reading.Stamp, reading.Offset);
                _pending.Enqueue(entry.Path);
            }
            else if (Watch)
            {
                LogResumeFileGone(Uri.Text, reading.Name, reading.Offset, ResolvedPath);
            }
            else
            {
                throw new SourcePositionException(
                    $"Source {Uri.Text} cannot resume from its checkpoint: it was reading '{reading.Name}' in '{ResolvedPath}' at byte {reading.Offset}, " +
                    "and that file is gone; put the file back to resume, or start from a new checkpoint directory to read the pattern from the start");
            }
        }

        fresh.Sort(Kind == FileSourceKind.Glob ? CompareByName : CompareByTimeThenName);
        foreach (Entry entry in fresh)
        {
            _pending.Enqueue(entry.Path);
        }
    }

    // Where to start reading the file being opened: its offset if it is the file in progress of a resumed position,
    // after checking it is the same file; 0 otherwise.
    private long ResumeOffset(string path, FileStamp stamp)
    {
        if (_resumeAt is not { } at || at.Path != path)
        {
            return 0;
        }

        _resumeAt = null;
        if (stamp.Length < at.Offset)
        {
            throw new SourcePositionException(
                $"Source {Uri.Text} cannot resume from its checkpoint: it was reading '{path}' at byte {at.Offset}, and the file is now {stamp.Length} bytes long; " +
                "it was truncated or replaced, so what is left of it cannot be matched to what was read. Restore the file, or start from a new checkpoint directory");
        }

        if (stamp != at.Stamp)
        {
            throw new SourcePositionException(
                $"Source {Uri.Text} cannot resume from its checkpoint: it was reading '{path}' at byte {at.Offset}, and the file changed since " +
                $"(length {at.Stamp.Length} → {stamp.Length} bytes, last write {Time(at.Stamp.LastWriteTicks)} → {Time(stamp.LastWriteTicks)}); " +
                "a file must not change while it is read. Restore the file, or start from a new checkpoint directory");
        }

        return at.Offset;
    }

    // The position of a run on partitions: the files done (those no partition has anything left of, with those done
    // before), and, while any partition has something left, the files being read and each partition's pieces of them.
    // Once every partition has read all it had, it is the position of a run on one partition that has read them all.
    private SourcePosition PartitionedPosition(PartitionedFiles partitioned)
    {
        var handled = new Dictionary<string, FileStamp>(_handled, StringComparer.Ordinal);
        var left = new List<(int File, long Start, long End)>[partitioned.Partitions];
        int[] renumbered = new int[partitioned.Files.Count];
        Array.Fill(renumbered, -1);
        var reading = new List<(string Name, FileStamp Stamp)>();
        long bytes = 0;
        for (int p = 0; p < left.Length; p++)
        {
            left[p] = partitioned.Remaining(p);
            for (int i = 0; i < left[p].Count; i++)
            {
                (int file, long start, long end) = left[p][i];
                if (renumbered[file] < 0)
                {
                    PartitionedFile opened = partitioned.Files[file];
                    renumbered[file] = reading.Count;
                    reading.Add((System.IO.Path.GetFileName(opened.Path), new FileStamp(opened.Length, opened.LastWriteTicks)));
                }

                left[p][i] = (renumbered[file], start, end);
                bytes += end - start;
            }
        }

        for (int f = 0; f < partitioned.Files.Count; f++)
        {
            if (renumbered[f] < 0)
            {
                PartitionedFile done = partitioned.Files[f];
                handled[System.IO.Path.GetFileName(done.Path)] = new FileStamp(done.Length, done.LastWriteTicks);
            }
        }

        if (reading.Count == 0)
        {
            return new SourcePosition(Encode(handled, null), Describe(handled.Count, null, null));
        }

        string description = $"{Describe(Kind, ResolvedPath, Pattern ?? "")}: {handled.Count} {(handled.Count == 1 ? "file" : "files")} done, " +
            $"{reading.Count} being read on {left.Length} partitions with {bytes.ToString(CultureInfo.InvariantCulture)} bytes left";
        return new SourcePosition(EncodePartitioned(handled, reading, left), description);
    }

    // The payload Decode reads: the layout version, what the source reads, the files done in name order, and the file
    // in progress, if any.
    private byte[] Encode(Dictionary<string, FileStamp> handled, CurrentPoint? current)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteStart(writer, PositionVersion, handled);
            writer.Write(current is not null);
            if (current is not null)
            {
                writer.Write(current.Name);
                Write(writer, current.Stamp);
                writer.Write(current.Offset);
            }
        }

        return buffer.ToArray();
    }

    // The payload of a run on partitions: as a run on one partition's up to the files done, then the files being read,
    // each by name and stamp, and for each partition its pieces left: a file's index in that list, a start and an end.
    private byte[] EncodePartitioned(Dictionary<string, FileStamp> handled, List<(string Name, FileStamp Stamp)> reading, List<(int File, long Start, long End)>[] left)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteStart(writer, PartitionedPositionVersion, handled);
            writer.Write(reading.Count);
            foreach ((string name, FileStamp stamp) in reading)
            {
                writer.Write(name);
                Write(writer, stamp);
            }

            writer.Write(left.Length);
            foreach (List<(int File, long Start, long End)> pieces in left)
            {
                writer.Write(pieces.Count);
                foreach ((int file, long start, long end) in pieces)
                {
                    writer.Write(file);
                    writer.Write(start);
                    writer.Write(end);
                }
            }
        }

        return buffer.ToArray();
    }

    // The start of every payload: the layout version, what the source reads, and the files done in name order.
    private void WriteStart(BinaryWriter writer, byte version, Dictionary<string, FileStamp> handled)
    {
        writer.Write(version);
        writer.Write((byte)Kind);
        writer.Write(ResolvedPath);
        writer.Write(Pattern ?? "");
        string[] names = [.. handled.Keys];
        Array.Sort(names, StringComparer.Ordinal);
        writer.Write(names.Length);
        foreach (string name in names)
        {
            writer.Write(name);
            Write(writer, handled[name]);
        }
    }

    private ResumePoint Decode(SourcePosition position)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(position.Payload.ToArray()), Encoding.UTF8);
            byte version = reader.ReadByte();
            if (version is not (PositionVersion or PartitionedPositionVersion))
            {
                throw Foreign(position, $"its layout is version {version}, and this runtime reads versions {PositionVersion} and {PartitionedPositionVersion}");
            }

            var kind = (FileSourceKind)reader.ReadByte();
            string path = reader.ReadString();
            string pattern = reader.ReadString();
            if (kind != Kind || path != ResolvedPath || pattern != (Pattern ?? ""))
            {
                throw Foreign(position, $"it was written by a file source of {Describe(kind, path, pattern)}, and this one reads {Describe(Kind, ResolvedPath, Pattern ?? "")}");
            }

            int count = reader.ReadInt32();
            if (count < 0)
            {
                throw Foreign(position, $"it claims {count} files");
            }

            var handled = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                handled[reader.ReadString()] = ReadStamp(reader);
            }

            CurrentPoint? current = null;
            PartitionResume? partitions = null;
            if (version == PartitionedPositionVersion)
            {
                partitions = DecodePartitions(position, reader);
            }
            else if (reader.ReadBoolean())
            {
                current = new CurrentPoint(reader.ReadString(), ReadStamp(reader), reader.ReadInt64());
            }

            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw Foreign(position, "bytes follow its end");
            }

            return new ResumePoint(handled, current, partitions);
        }
        catch (EndOfStreamException)
        {
            throw Foreign(position, "it ends too soon");
        }
    }

    // The files a run on partitions was reading and each partition's pieces left of them, each checked to lie in them.
    private PartitionResume DecodePartitions(SourcePosition position, BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count <= 0)
        {
            throw Foreign(position, $"it claims {count} files being read");
        }

        var files = new List<(string Name, FileStamp Stamp)>(count);
        for (int i = 0; i < count; i++)
        {
            files.Add((reader.ReadString(), ReadStamp(reader)));
        }

        int partitions = reader.ReadInt32();
        if (partitions < 2)
        {
            throw Foreign(position, $"it claims {partitions} partitions");
        }

        var work = new List<(int File, long Start, long End)>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            int pieces = reader.ReadInt32();
            if (pieces < 0)
            {
                throw Foreign(position, $"it claims {pieces} pieces for partition {p}");
            }

            work[p] = new List<(int File, long Start, long End)>(pieces);
            for (int i = 0; i < pieces; i++)
            {
                (int file, long start, long end) = (reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
                if (file < 0 || file >= count || start < 0 || end < start || end > files[file].Stamp.Length)
                {
                    throw Foreign(position, $"partition {p} has a piece [{start}, {end}) of file {file}, which is not within the files it lists");
                }

                work[p].Add((file, start, end));
            }
        }

        return new PartitionResume(files, work);
    }

    private InvalidDataException Foreign(SourcePosition position, string what) =>
        new($"Source {Uri.Text} cannot resume from position '{position}': {what}. Resume with the source URI the checkpoint was written with, or start from a new checkpoint directory.");

    private string Describe(int done, string? current, long? offset)
    {
        string files = Kind == FileSourceKind.File
            ? (current is null ? (done > 0 ? "read to its end" : "not started") : $"at byte {offset!.Value.ToString(CultureInfo.InvariantCulture)}")
            : $"{done} {(done == 1 ? "file" : "files")} done" + (current is null ? "" : $", {current} at byte {offset!.Value.ToString(CultureInfo.InvariantCulture)}");
        return $"{Describe(Kind, ResolvedPath, Pattern ?? "")}: {files}";
    }

    private static string Describe(FileSourceKind kind, string path, string pattern) => kind switch
    {
        FileSourceKind.File => $"file {path}",
        FileSourceKind.Glob => $"pattern {System.IO.Path.Combine(path, pattern)}",
        _ => $"directory {path}",
    };

    private static void Write(BinaryWriter writer, FileStamp stamp)
    {
        writer.Write(stamp.Length);
        writer.Write(stamp.LastWriteTicks);
    }

    private static FileStamp ReadStamp(BinaryReader reader) => new(reader.ReadInt64(), reader.ReadInt64());

    private static string Time(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static bool IsDeviceOrPipe(string path) =>
        !OperatingSystem.IsWindows() && (path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal));

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "{Source}: resuming {Path} at byte {Offset} of {Length}")]
    private partial void LogResuming(string source, string path, long offset, long length);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "{Source}: resuming from {Position}; files to read: {Pending}")]
    private partial void LogResumed(string source, string position, int pending);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "{Source}: {File}, which was being read at byte {Offset} when the checkpoint was taken, is gone from {Directory}; the rest of it is not read")]
    private partial void LogResumeFileGone(string source, string file, long offset, string directory);

    // A file's identity across a restart: its length and last-write time (UTC ticks).
    private readonly record struct FileStamp(long Length, long LastWriteTicks);

    // The file being read: its name, the stamp it had when opened, where the stream started in it, and the stream.
    private sealed record CurrentFile(string Name, FileStamp Stamp, long StartOffset, SourceStream Stream)
    {
        public long Offset => StartOffset + Stream.Consumed;
    }

    private sealed record CurrentPoint(string Name, FileStamp Stamp, long Offset);

    private sealed record ResumePoint(Dictionary<string, FileStamp> Handled, CurrentPoint? Current, PartitionResume? Partitions = null);

    // What the partitions of a run were reading, and each one's pieces left: a file's index in Files, a start and an end.
    private sealed record PartitionResume(List<(string Name, FileStamp Stamp)> Files, List<(int File, long Start, long End)>[] Work);

    private readonly record struct ResumeAt(string Path, FileStamp Stamp, long Offset);
}
