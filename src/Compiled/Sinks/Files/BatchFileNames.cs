using System.Globalization;

namespace Compiled.Sinks.Files;

/// <summary>
/// How the sinks that write a file per batch (the <c>file</c> sink, and <c>parquet</c> in its own package) read a batch
/// time back from their file names: <c>prefix-&lt;batch time ms&gt;.suffix</c> and the hidden temporary names around it.
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
}
