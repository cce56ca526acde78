using Compiled.Connectors;
using Compiled.Internal;

namespace Compiled.Sinks.Files;

/// <summary>
/// Where a sink that writes a file per batch (the <c>file</c> sink, and <c>parquet</c> in its own package) writes: the
/// directory and the file prefix of its URI's target, <c>dir/prefix</c>, each checked with a message that says what to
/// write instead, and the directory checked for what can be known before the run without leaving a trace.
/// </summary>
internal sealed class BatchFileTarget
{
    private static readonly char[] Separators = ['/', Path.DirectorySeparatorChar];

    private readonly ConnectorUri _uri;
    private readonly string _kind;

    private BatchFileTarget(ConnectorUri uri, string kind, string directory, string prefix)
    {
        _uri = uri;
        _kind = kind;
        Directory = directory;
        Prefix = prefix;
    }

    /// <summary>The absolute directory the files are written to.</summary>
    public string Directory { get; }

    /// <summary>The start of every file's name: <c>prefix</c> of <c>dir/prefix</c>.</summary>
    public string Prefix { get; }

    /// <summary>
    /// The directory and prefix of <paramref name="uri"/>'s target, relative to <paramref name="currentDirectory"/>
    /// unless absolute. <paramref name="kind"/> names the sink in messages (<c>file</c>, <c>parquet</c>);
    /// <paramref name="options"/> (<c>?suffix=txt</c>, or empty) and <paramref name="extension"/> (<c>.txt</c>,
    /// <c>.parquet</c>) complete the examples they give.
    /// </summary>
    /// <exception cref="ConnectorUriException">The target names no prefix, or one that is hidden or not a file name.</exception>
    public static BatchFileTarget Parse(ConnectorUri uri, string kind, string options, string extension, string currentDirectory)
    {
        string target = uri.Target;
        if (target.Length == 0)
        {
            throw uri.Error(
                $"{kind} sink URI '{uri.Text}' names no directory or prefix; write {kind}:///dir/prefix{options} " +
                $"to write dir/prefix-<batch time ms>{extension} per batch");
        }

        int lastSeparator = target.LastIndexOfAny(Separators);
        string prefix = target[(lastSeparator + 1)..];
        string directoryPart = lastSeparator < 0 ? "" : target[..(lastSeparator + 1)];
        if (prefix.Length == 0 || prefix is "." or "..")
        {
            string dir = target.TrimEnd(Separators);
            throw uri.Error(
                $"{kind} sink URI '{uri.Text}' names a directory but no file prefix; add one, e.g. {kind}://{dir}/part{options} " +
                $"to write {dir}/part-<batch time ms>{extension} per batch");
        }

        if (prefix.StartsWith('.'))
        {
            throw uri.Error(
                $"{kind} sink URI '{uri.Text}' has prefix '{prefix}', which starts with '.': its files would be hidden and file sources skip hidden files; " +
                $"write a prefix without the leading dot, e.g. {kind}://{directoryPart}{prefix.TrimStart('.')}");
        }

        if (prefix.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw uri.Error($"{kind} sink URI '{uri.Text}' has prefix '{prefix}', which is not a valid file name; use letters, digits, '-' or '_'");
        }

        string path = Path.GetFullPath(Path.Combine(currentDirectory, target));
        string directory = Path.GetDirectoryName(path)
            ?? throw uri.Error($"{kind} sink URI '{uri.Text}' names no directory; write {kind}:///dir/prefix{options}");
        return new BatchFileTarget(uri, kind, directory, prefix);
    }

    /// <summary>
    /// Checks, without leaving a trace, whether the directory can be reached, whether a regular file stands where a
    /// directory must be, and whether the directory (or, if it is missing, the one it will be created in) can be written,
    /// by creating and deleting <paramref name="probeName"/> there: a hidden temporary name of the sink's own, which its
    /// next start deletes should the process die in between.
    /// </summary>
    /// <exception cref="ConnectorUriException">The directory is out of reach, is a file, or cannot be written or created.</exception>
    public void CheckWritable(string probeName)
    {
        if (PathAccess.UnenterableDirectory(Directory) is { } blocked)
        {
            throw _uri.Error(
                $"{_kind} sink URI '{_uri.Text}' writes in '{Directory}', which is out of reach: permission denied: directory '{blocked}' cannot be entered; " +
                $"give the user the job runs as search permission on it (e.g. chmod o+x '{blocked}'), or write elsewhere");
        }

        switch (PathAccess.NearestExisting(Directory))
        {
            case (string file, false):
                throw _uri.Error(file == Directory
                    ? $"{_kind} sink URI '{_uri.Text}' writes its files in '{file}', which is a file, not a directory; write a path whose part before the prefix is a directory, e.g. {_kind}://{file}.d/{Prefix}"
                    : $"{_kind} sink URI '{_uri.Text}' writes its files in '{Directory}', under '{file}', which is a file, not a directory; write a path whose part before the prefix is a directory");
            case (string directory, true):
                Probe(directory, probeName);
                break;
        }
    }

    private void Probe(string directory, string probeName)
    {
        try
        {
            using var probe = new FileStream(Path.Join(directory, probeName), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or IOException)
        {
            string reason = error is UnauthorizedAccessException ? "permission denied" : error.Message;
            throw _uri.Error(directory == Directory
                ? $"{_kind} sink URI '{_uri.Text}' cannot write in directory '{directory}': {reason}; give the user the job runs as write permission on it, or write elsewhere"
                : $"{_kind} sink URI '{_uri.Text}' cannot create directory '{Directory}': {reason} in '{directory}'; create it for the user the job runs as, or write elsewhere");
        }
    }
}
