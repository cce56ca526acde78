using System.Globalization;

namespace Compiled.Sinks.Files;

/// <summary>
/// How the sinks that write a file per batch (the <c>file</c> sink, and <c>parquet</c> in its own package) read a batch
/// time back from their file names (<c>prefix-&lt;batch time ms&gt;.suffix</c>, a run on partitions' part files
/// <c>prefix-&lt;batch time ms&gt;-part-&lt;partition&gt;.suffix</c>, and the hidden temporary names around them), and
/// settle at a start the temporary files that earlier runs left.
/// </summary>
internal static class BatchFileNames
{
    /// <summary>What comes between a batch's time and the partition's number in a part file's name: <c>-part-</c>.</summary>
    public const string PartMark = "-part-";

    /// <summary>How many digits a part's number is written with (<c>part-00001</c>), so that a batch's parts sort in partition order.</summary>
    public const int PartDigits = 5;

    /// <summary>What <paramref name="name"/> names between <paramref name="start"/> and the ending <paramref name="end"/>: a batch's time, and the partition of a part file (<c>&lt;time&gt;-part-&lt;partition&gt;</c>) or -1 for a batch's one file; <see langword="null"/> when it is neither.</summary>
    public static (long Time, int Part)? BatchBetween(ReadOnlySpan<char> name, int start, string end)
    {
        if (name.Length <= start + end.Length || !name.EndsWith(end, StringComparison.Ordinal))
        {
            return null;
        }

        ReadOnlySpan<char> between = name[start..^end.Length];
        int mark = between.IndexOf(PartMark, StringComparison.Ordinal);
        if (mark < 0)
        {
            return Digits(between) is { } time ? (time, -1) : null;
        }

        return Digits(between[..mark]) is { } batchTime && Digits(between[(mark + PartMark.Length)..]) is { } part && part <= int.MaxValue
            ? (batchTime, (int)part)
            : null;
    }

    /// <summary>The part file name's ending for <paramref name="partition"/>: <c>-part-00001</c>.</summary>
    public static string PartOf(int partition) =>
        PartMark + partition.ToString("D" + PartDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static long? Digits(ReadOnlySpan<char> digits) =>
        digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9') && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : null;

    /// <summary>The time of the newest batch file <c>prefix-&lt;digits&gt;end</c> (or part file <c>prefix-&lt;digits&gt;-part-&lt;digits&gt;end</c>) in <paramref name="directory"/>, or <see langword="null"/> if it has none.</summary>
    public static long? Newest(string directory, string prefix, string end)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, MatchType = MatchType.Simple };
        long? newest = null;
        foreach (string path in Directory.EnumerateFiles(directory, prefix + "-*", options))
        {
            if (BatchBetween(Path.GetFileName(path.AsSpan()), prefix.Length + 1, end) is ({ } time, _) && !(time <= newest))
            {
                newest = time;
            }
        }

        return newest;
    }

    /// <summary>
    /// Settles the temporary files <c>temporaryStart&lt;batch time&gt;temporaryEnd</c> (and the part files
    /// <c>temporaryStart&lt;batch time&gt;-part-&lt;partition&gt;temporaryEnd</c>) that earlier runs left in
    /// <paramref name="directory"/>: without <paramref name="keepUpTo"/>, deletes them all; with it (the checkpointed
    /// batch's time), renames those of a batch at or before it to <paramref name="finalPathOf"/> its time and partition
    /// (-1 for a batch's one file; they were prepared before a durable checkpoint; <paramref name="recovered"/> is told
    /// each, with the file's final name) and deletes the rest. A batch's parts are renamed in partition order. Time 0 is
    /// the writability probe's, which no batch has: always deleted. The caller flushes the directory when any was renamed.
    /// </summary>
    /// <returns>How many files were renamed into place, and how many deleted.</returns>
    public static (int Recovered, int Deleted) SettleTemporaryFiles(
        string directory,
        string temporaryStart,
        string temporaryEnd,
        long? keepUpTo,
        Func<long, int, string> finalPathOf,
        Action<long, string> recovered,
        Action<Exception, string> notDeleted)
    {
        // A directory that may be written but not listed (mode 733, a drop box) hides what is in it: there is then
        // nothing to clean up that the sink could see.
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Simple };
        int renamed = 0;
        int deleted = 0;
        var toRename = new List<(long Time, int Part, string Path)>();
        foreach (string path in Directory.EnumerateFiles(directory, temporaryStart + "*", options))
        {
            ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
            if (!name.StartsWith(temporaryStart, StringComparison.Ordinal) || BatchBetween(name, temporaryStart.Length, temporaryEnd) is not (long batchTime, int part))
            {
                continue;
            }

            if (batchTime != 0 && batchTime <= keepUpTo)
            {
                toRename.Add((batchTime, part, path));
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

        // The checkpoint that records these batches is durable, so the batches are done: finish their commits, a batch's
        // parts in partition order. Failing here fails the start, since skipping it would lose the batch's output.
        toRename.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Part.CompareTo(b.Part));
        foreach ((long time, int part, string path) in toRename)
        {
            string finalPath = finalPathOf(time, part);
            File.Move(path, finalPath, overwrite: true);
            recovered(time, Path.GetFileName(finalPath));
            renamed++;
        }

        return (renamed, deleted);
    }
}
