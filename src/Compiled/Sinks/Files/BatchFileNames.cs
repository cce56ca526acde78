using System.Globalization;

namespace Compiled.Sinks.Files;

/// <summary>
/// How the sinks that write a file per batch (the <c>file</c> sink, and <c>parquet</c> in its own package) read a batch
/// time back from their file names (<c>prefix-&lt;batch time ms&gt;.suffix</c> and the hidden temporary names around it),
/// and settle at a start the temporary files that earlier runs left.
/// </summary>
internal static class BatchFileNames
{
    /// <summary>The number written in <paramref name="name"/> from <paramref name="start"/> up to the ending <paramref name="end"/>, when it is all digits; otherwise <see langword="null"/>.</summary>
    public static long? TimeBetween(ReadOnlySpan<char> name, int start, string end)
    {
        if (name.Length <= start + end.Length || !name.EndsWith(end, StringComparison.Ordinal))
        {
            return null;
        }

        ReadOnlySpan<char> digits = name[start..^end.Length];
        return !digits.ContainsAnyExceptInRange('0', '9') && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : null;
    }

    /// <summary>The time of the newest batch file <c>prefix-&lt;digits&gt;end</c> in <paramref name="directory"/>, or <see langword="null"/> if it has none.</summary>
    public static long? Newest(string directory, string prefix, string end)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, MatchType = MatchType.Simple };
        long? newest = null;
        foreach (string path in Directory.EnumerateFiles(directory, prefix + "-*", options))
        {
            if (TimeBetween(Path.GetFileName(path.AsSpan()), prefix.Length + 1, end) is { } time && !(time <= newest))
            {
                newest = time;
            }
        }

        return newest;
    }

    /// <summary>
    /// Settles the temporary files <c>temporaryStart&lt;batch time&gt;temporaryEnd</c> that earlier runs left in
    /// <paramref name="directory"/>: without <paramref name="keepUpTo"/>, deletes them all; with it (the checkpointed
    /// batch's time), renames those of a batch at or before it to <paramref name="finalPathOf"/> its time (they were
    /// prepared before a durable checkpoint; <paramref name="recovered"/> is told each) and deletes the rest. Time 0 is
    /// the writability probe's, which no batch has: always deleted. The caller flushes the directory when any was renamed.
    /// </summary>
    /// <returns>How many files were renamed into place, and how many deleted.</returns>
    public static (int Recovered, int Deleted) SettleTemporaryFiles(
        string directory,
        string temporaryStart,
        string temporaryEnd,
        long? keepUpTo,
        Func<long, string> finalPathOf,
        Action<long> recovered,
        Action<Exception, string> notDeleted)
    {
        // A directory that may be written but not listed (mode 733, a drop box) hides what is in it: there is then
        // nothing to clean up that the sink could see.
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Simple };
        int renamed = 0;
        int deleted = 0;
        foreach (string path in Directory.EnumerateFiles(directory, temporaryStart + "*", options))
        {
            ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
            if (!name.StartsWith(temporaryStart, StringComparison.Ordinal) || TimeBetween(name, temporaryStart.Length, temporaryEnd) is not { } batchTime)
            {
                continue;
            }

            if (batchTime != 0 && batchTime <= keepUpTo)
            {
                // The checkpoint that records this batch is durable, so the batch is done: finish its commit. Failing
                // here fails the start, since skipping it would lose the batch's output.
                File.Move(path, finalPathOf(batchTime), overwrite: true);
                recovered(batchTime);
                renamed++;
                continue;
            }

            try
            {
                File.Delete(path);
                deleted++;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Another user's file in a directory with the sticky bit, say: it is in no batch's way, since no two
                // batches share a time, so the run goes on.
                notDeleted(error, path);
            }
        }

        return (renamed, deleted);
    }
}
