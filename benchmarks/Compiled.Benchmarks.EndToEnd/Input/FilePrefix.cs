using System.Globalization;

namespace Compiled.Benchmarks.EndToEnd.Input;

/// <summary>
/// A smaller input cut from a larger one: its first lines, up to a size, for the jobs too slow to run on the whole
/// file (the peers). Kept beside the file and reused.
/// </summary>
internal static class FilePrefix
{
    /// <summary>
    /// The path of a file that holds the lines of <paramref name="path"/> that end within its first
    /// <paramref name="bytes"/> bytes, written beside it on first use (<c>PATH.first-NMiB</c>).
    /// </summary>
    public static string Ensure(string path, long bytes)
    {
        string prefix = path + ".first-" + (bytes >> 20).ToString(CultureInfo.InvariantCulture) + "MiB";
        if (File.Exists(prefix))
        {
            return prefix;
        }

        byte[] head = new byte[bytes];
        int read;
        using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            read = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        int length = head.AsSpan(0, read).LastIndexOf((byte)'\n') + 1;
        if (length == 0)
        {
            throw new InvalidDataException($"'{path}' has no line end in its first {bytes:N0} bytes, so no prefix of whole lines can be cut from it; give a larger prefix.");
        }

        using (var target = new FileStream(prefix + ".partial", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            target.Write(head, 0, length);
        }

        File.Move(prefix + ".partial", prefix, overwrite: true);
        return prefix;
    }
}
