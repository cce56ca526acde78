namespace Compiled.Internal;

/// <summary>
/// Why a path cannot be reached, for the file connectors' messages. <see cref="File.Exists(string)"/> and
/// <see cref="Directory.Exists(string)"/> answer <see langword="false"/> both for a path that is not there and
/// for one behind a directory the process may not enter; these tell the two apart, by looking (a <c>stat</c>),
/// never by writing.
/// </summary>
internal static class PathAccess
{
    /// <summary>
    /// The directory that keeps <paramref name="path"/> out of reach because the process may not enter it (no search
    /// permission), or <see langword="null"/> if looking at the path is allowed (whether or not it exists).
    /// </summary>
    public static string? UnenterableDirectory(string path)
    {
        try
        {
            _ = File.GetAttributes(path);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // The deepest directory that can be looked at is the one that cannot be entered: every directory above it
            // was entered to look at it.
            for (string? ancestor = Path.GetDirectoryName(path); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
            {
                if (Directory.Exists(ancestor))
                {
                    return ancestor;
                }
            }

            return null;
        }
        catch (IOException)
        {
            // Not there (or not a path at all): nothing is denied.
            return null;
        }
    }

    /// <summary>
    /// The nearest existing path at or above <paramref name="directory"/>, and whether it is a directory: the
    /// directory itself, or the ancestor in which the missing part would be created, or a regular file in the way.
    /// <see langword="null"/> if nothing above it can be seen.
    /// </summary>
    public static (string Path, bool IsDirectory)? NearestExisting(string directory)
    {
        for (string? path = directory; path is not null; path = Path.GetDirectoryName(path))
        {
            if (Directory.Exists(path))
            {
                return (path, true);
            }

            if (File.Exists(path))
            {
                return (path, false);
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the process may list <paramref name="directory"/>: reading its entries needs read permission on it,
    /// which a directory with mode 711 of another user does not give although its files can be opened by name.
    /// </summary>
    public static bool CanList(string directory)
    {
        try
        {
            using IEnumerator<string> entries = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            _ = entries.MoveNext();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
