using System.Globalization;

namespace Compiled.Checkpoints;

/// <summary>
/// A pipeline's checkpoint directory: one file per completed batch, named <c>checkpoint-&lt;batchTime&gt;</c> for the
/// batch's time in Unix milliseconds. Times, not batch numbers, name the files: a number depends on the batch interval,
/// which a pipeline without state may change between runs, and the newest checkpoint must stay the newest.
/// </summary>
/// <remarks>
/// <para>
/// <b>Writing.</b> <see cref="Write(CheckpointWriter)"/> writes the file under a temporary name
/// (<c>checkpoint-&lt;batchTime&gt;.tmp</c>), flushes it to disk (fsync), renames it into place and flushes the
/// directory, so the name <c>checkpoint-&lt;n&gt;</c> only ever denotes a complete file, even after a crash or a power
/// loss. A crash in the middle of writing leaves only the temporary file, which <see cref="TryLoadLatest"/> ignores
/// and deletes.
/// </para>
/// <para>
/// <b>Retention.</b> Once a checkpoint is complete, all but the newest <see cref="Retained"/> (two) are deleted. The
/// previous one is kept because it is the only way back if the newest is later found damaged (a disk fault, a bad
/// copy): the operator moves the damaged file away and the job resumes from the previous batch, replaying one batch
/// more. Keeping more would only cost disk: a checkpoint older than the previous one is never needed while the newer
/// two are complete.
/// </para>
/// <para>
/// <b>A damaged newest checkpoint.</b> When the newest complete checkpoint is corrupt or foreign,
/// <see cref="TryLoadLatest"/> refuses to start with <see cref="CheckpointCorruptException"/> even when an older one
/// is valid, and names that older one in the message. It does not fall back on its own (as Flink does): resuming
/// from an older checkpoint replays batches whose output the sinks already committed, which an at-least-once sink
/// (the console) prints twice, and a silent fallback would hide a failing disk. Moving the damaged file away is the
/// explicit, one-command way to accept the replay.
/// </para>
/// <para>
/// One job writes to a directory at a time. Files whose names are not checkpoint names are left alone, so other
/// parts of the checkpoint (a write-ahead log, say) may live in the same directory.
/// </para>
/// </remarks>
public sealed class CheckpointDirectory
{
    /// <summary>How many complete checkpoints are kept: the newest and the one before it.</summary>
    public const int Retained = 2;

    private const string Prefix = "checkpoint-";
    private const string TemporarySuffix = ".tmp";

    /// <summary>Opens (creating it if needed) the checkpoint directory <paramref name="path"/> of <paramref name="pipelineName"/>.</summary>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public CheckpointDirectory(string path, string pipelineName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(pipelineName);
        Path = System.IO.Path.GetFullPath(path);
        PipelineName = pipelineName;
        try
        {
            Directory.CreateDirectory(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create the checkpoint directory '{Path}': {e.Message} Choose a directory the job can write to.", e);
        }
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The pipeline whose checkpoints the directory holds; files of another pipeline are refused.</summary>
    public string PipelineName { get; }

    /// <summary>The path of the checkpoint of the batch whose time is <paramref name="batchTime"/> (Unix milliseconds).</summary>
    public string FileOf(long batchTime) =>
        System.IO.Path.Combine(Path, Prefix + batchTime.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Makes the checkpoint <paramref name="writer"/> completed durable as <c>checkpoint-&lt;batchTime&gt;</c>, then
    /// deletes older checkpoints beyond <see cref="Retained"/>. When this returns, the checkpoint survives a crash.
    /// </summary>
    /// <returns>The checkpoint file's path.</returns>
    /// <exception cref="InvalidOperationException">The writer's checkpoint is not complete or is another pipeline's.</exception>
    /// <exception cref="IOException">The file cannot be written, flushed or renamed.</exception>
    public string Write(CheckpointWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlySpan<byte> file = writer.WrittenFile;
        CheckpointHeader header = writer.Header;
        if (!string.Equals(header.PipelineName, PipelineName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The checkpoint is of pipeline '{header.PipelineName}' but the directory '{Path}' holds pipeline '{PipelineName}''s; write it with the directory's pipeline name.");
        }

        if (header.BatchNumber < 0 || header.BatchTime < 0)
        {
            throw new InvalidOperationException($"A checkpoint's batch number and time cannot be negative (batch {header.BatchNumber}, time {header.BatchTime} ms).");
        }

        string final = FileOf(header.BatchTime);
        string temporary = final + TemporarySuffix;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(file);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, final, overwrite: true);
            DirectorySync.Flush(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new IOException($"Cannot write checkpoint '{final}': {e.Message} Check that the checkpoint directory is writable and its disk has room.", e);
        }

        RemoveOlderThanRetained(header.BatchTime);
        return final;
    }

    /// <summary>
    /// Loads the newest complete checkpoint, checked whole (see <see cref="CheckpointReader"/>). Temporary files left
    /// by a crash in the middle of a write are ignored and deleted. Returns false when the directory holds no
    /// checkpoint.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">
    /// The newest checkpoint is damaged, of another pipeline or of an unknown format version. No older checkpoint is
    /// loaded in its place (see the remarks); the message names the older one to resume from once the file is moved away.
    /// </exception>
    public bool TryLoadLatest(out CheckpointReader? checkpoint)
    {
        checkpoint = null;
        List<long> batches = ListCheckpoints(deleteTemporaries: true);
        if (batches.Count == 0)
        {
            return false;
        }

        long newest = batches[^1];
        string path = FileOf(newest);
        CheckpointReader reader;
        try
        {
            reader = CheckpointReader.Open(path, PipelineName);
        }
        catch (CheckpointCorruptException e)
        {
            throw WithFallbackAdvice(e, batches);
        }

        if (reader.Header.BatchTime != newest)
        {
            reader.Dispose();
            var renamed = new CheckpointCorruptException(path, CheckpointProblem.Malformed,
                $"holds the batch of {reader.Header.BatchTime} ms but is named for the batch of {newest} ms: it was renamed or copied in");
            throw WithFallbackAdvice(renamed, batches);
        }

        checkpoint = reader;
        return true;
    }

    /// <summary>The batch times of the complete checkpoints in the directory, oldest first.</summary>
    public IReadOnlyList<long> Batches() => ListCheckpoints(deleteTemporaries: false);

    private CheckpointCorruptException WithFallbackAdvice(CheckpointCorruptException e, List<long> batches)
    {
        string advice = batches.Count >= 2
            ? $"Move it out of the checkpoint directory to resume from the previous checkpoint '{FileOf(batches[^2])}' (the batch of {batches[^2]} ms), which replays the batches after it, or start with a new checkpoint directory."
            : "Move it out of the checkpoint directory to start the job from the beginning, or start with a new checkpoint directory.";
        if (e.Problem == CheckpointProblem.ForeignPipeline)
        {
            advice = $"Give each pipeline its own checkpoint directory: point --checkpoint at a new directory, or move the file out of '{Path}'.";
        }

        return new CheckpointCorruptException(e.Path, e.Problem, e.Detail, advice, e);
    }

    private void RemoveOlderThanRetained(long written)
    {
        List<long> batches = ListCheckpoints(deleteTemporaries: false);
        int excess = batches.Count - Retained;
        for (int i = 0; i < excess; i++)
        {
            // Never the checkpoint just written, even if a newer-numbered file sits beside it.
            if (batches[i] != written)
            {
                TryDelete(FileOf(batches[i]));
            }
        }
    }

    private List<long> ListCheckpoints(bool deleteTemporaries)
    {
        var batches = new List<long>();
        foreach (string file in Directory.EnumerateFiles(Path, Prefix + "*"))
        {
            string name = System.IO.Path.GetFileName(file);
            if (name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            {
                if (deleteTemporaries && IsBatchNumber(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - TemporarySuffix.Length), out _))
                {
                    TryDelete(file);
                }

                continue;
            }

            if (IsBatchNumber(name.AsSpan(Prefix.Length), out long batch))
            {
                batches.Add(batch);
            }
        }

        batches.Sort();
        return batches;
    }

    private static bool IsBatchNumber(ReadOnlySpan<char> text, out long batch)
    {
        batch = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return text.Length > 0 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out batch);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be deleted now is deleted by a later write or load; it is never loaded meanwhile
            // (a temporary) or only while newer ones exist (an old checkpoint).
        }
    }
}
