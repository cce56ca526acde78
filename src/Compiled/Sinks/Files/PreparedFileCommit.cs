using Compiled.Checkpoints;

namespace Compiled.Sinks.Files;

/// <summary>
/// How the sinks that write a file per batch (the <c>file</c> sink, and <c>parquet</c> in its own package) make a file
/// written under a hidden temporary name visible: prepared (flushed to disk, closed, and its directory entry made
/// durable, so it survives a crash without being seen), then renamed into place and the rename made durable; or, without
/// a checkpoint, renamed into place but never over another run's file. Each failure says which sink, which file, and
/// what to do.
/// </summary>
internal sealed class PreparedFileCommit
{
    private readonly string _sink;
    private readonly string _uri;

    /// <summary>The commit of the sink of kind <paramref name="sink"/> (<c>file</c>, <c>parquet</c>) at <paramref name="uri"/>, which writes in <paramref name="directory"/>.</summary>
    public PreparedFileCommit(string sink, string uri, string directory)
    {
        _sink = sink;
        _uri = uri;
        Directory = directory;
    }

    /// <summary>The directory the files are written and renamed in.</summary>
    public string Directory { get; }

    /// <summary>
    /// The first phase: <paramref name="file"/> flushed to disk and closed, and the directory flushed, so that the file
    /// survives a crash under its temporary name. A failed flush leaves the stream open for the caller's abort to close.
    /// </summary>
    public void Prepare(FileStream file)
    {
        FlushAndClose(file);
        FlushDirectory();
    }

    /// <summary>
    /// <paramref name="file"/> flushed to disk and closed, its directory entry not made durable: what a sink without a
    /// checkpoint does before it publishes the file. A failed flush leaves the stream open for the caller's abort to close.
    /// </summary>
    public static void FlushAndClose(FileStream file)
    {
        file.Flush(flushToDisk: true);
        file.Dispose();
    }

    /// <summary>
    /// The second phase: the prepared <paramref name="temporaryPath"/> renamed to <paramref name="finalPath"/>, replacing a
    /// file there (this job's own, written by a run whose checkpoint did not record its batch), and the rename made durable.
    /// </summary>
    /// <exception cref="IOException">The prepared file is gone, or the rename or the directory's flush failed.</exception>
    public void CommitPrepared(string temporaryPath, string finalPath)
    {
        EnsurePrepared(temporaryPath);
        File.Move(temporaryPath, finalPath, overwrite: true);
        FlushDirectory();
    }

    /// <summary>
    /// The prepared <paramref name="temporaryPath"/> renamed to <paramref name="finalPath"/>, replacing a file there, the
    /// rename not yet made durable: for a batch of several files, whose directory is flushed once after the last
    /// (<see cref="FlushDirectory"/>).
    /// </summary>
    /// <exception cref="IOException">The prepared file is gone, or the rename failed.</exception>
    public void Rename(string temporaryPath, string finalPath)
    {
        EnsurePrepared(temporaryPath);
        File.Move(temporaryPath, finalPath, overwrite: true);
    }

    /// <summary>Throws when the prepared file <paramref name="path"/> is no longer there: something deleted it between its prepare and its commit.</summary>
    /// <exception cref="IOException">The file is gone.</exception>
    public void EnsurePrepared(string path)
    {
        if (!File.Exists(path))
        {
            throw new IOException(
                $"The {_sink} sink's prepared file '{path}' is gone before its commit: something else deleted it. " +
                $"Keep other programs from removing hidden files in '{Directory}', or write to a directory of the job's own.");
        }
    }

    /// <summary>
    /// Without a checkpoint: the closed <paramref name="temporaryPath"/> renamed to <paramref name="finalPath"/>, never over
    /// another file. Batch times are unique within a run, and a run starts after the newest batch a sink finds already
    /// written, so a file already there is another run's output, which must not vanish without a word.
    /// </summary>
    /// <exception cref="IOException"><paramref name="finalPath"/> exists, or the rename failed.</exception>
    public void Publish(string temporaryPath, string finalPath)
    {
        EnsureNotPublished(finalPath);
        File.Move(temporaryPath, finalPath, overwrite: false);
    }

    /// <summary>Without a checkpoint: throws when <paramref name="finalPath"/> exists, another run's output, which this batch must not replace.</summary>
    /// <exception cref="IOException"><paramref name="finalPath"/> exists.</exception>
    public void EnsureNotPublished(string finalPath)
    {
        if (File.Exists(finalPath))
        {
            throw new IOException(
                $"The {_sink} sink's output for this batch, '{finalPath}', already exists: another run wrote it. " +
                "Write to another prefix or directory, or move the old output away.");
        }
    }

    /// <summary>Flushes the directory to disk, so that a file created or renamed in it survives a power loss.</summary>
    /// <exception cref="IOException">The directory cannot be flushed; the message names the sink and the directory.</exception>
    public void FlushDirectory()
    {
        try
        {
            DirectorySync.Flush(Directory);
        }
        catch (IOException error)
        {
            // DirectorySync speaks of a checkpoint directory: say which sink's directory it was, and what is at stake.
            throw new IOException(
                $"The {_sink} sink {_uri} cannot flush its directory '{Directory}' to disk, so a file renamed there might not survive a power loss: {error.Message}",
                error);
        }
    }
}
