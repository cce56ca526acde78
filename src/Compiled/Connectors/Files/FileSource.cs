using System.IO.Enumeration;
using System.IO.Pipelines;
using Compiled.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Compiled.Connectors.Files;

/// <summary>
/// <c>file:</c>: one file, the files a pattern matches, or a directory watched for new files, each read
/// whole as one <see cref="SourceStream"/> named by its full path.
/// </summary>
/// <remarks>
/// <para>The target (the text after <c>file:</c> or <c>file://</c>) takes one of three forms:</para>
/// <list type="bullet">
/// <item><description><c>file:///data/in.txt</c>: that file, then the source ends.</description></item>
/// <item><description><c>file:///logs/*.log</c>: a pattern (<c>*</c>, <c>?</c>) in the last segment; the files
/// it matches at the start, in ordinal order, then the source ends. With <c>watch=true</c> it goes on to
/// read files that start to match later; <c>existing=false</c> then skips those there at the start.</description></item>
/// <item><description><c>file:///incoming/</c> (an existing directory, or any target ending in <c>/</c>): Spark's
/// <c>textFileStream</c>. The directory is listed every <c>poll</c> (default: the batch interval) and each
/// file that has appeared since the last listing is read once, whole; files already there at the start are
/// skipped unless <c>existing=true</c>. The source never ends.</description></item>
/// </list>
/// <para>
/// A relative target is looked for under <see cref="SourceContext.CurrentDirectory"/> first, then under
/// <see cref="AppContext.BaseDirectory"/>, so a sample finds the input bundled next to its executable.
/// </para>
/// <para>
/// Watching follows Spark's rules. Names starting with <c>.</c> or <c>_</c> are ignored (unless the pattern
/// itself starts with one), and so are subdirectories. A file must appear complete: write it under a hidden
/// name and rename it into place, as the file sink does, or it may be read half-written. A file is read
/// once, when it appears; what is appended later is not read. Files that appear between two listings are
/// read in order of last-write time, then name. The source remembers the names of the last listing rather
/// than every name it ever read, so its memory is bounded by the directory's size; a file deleted and
/// written again under the same name is a new file and is read again.
/// </para>
/// <para>
/// Permissions are checked where they can be at the start: a directory that cannot be listed, or a path behind a
/// directory that cannot be entered, is a <see cref="ConnectorUriException"/> naming the directory. A file of a
/// pattern or a directory that cannot be opened for want of permission is skipped with a warning and counted in
/// <see cref="SourceCounters.UnreadableSkipped"/>, so one stray file does not end a long-running job; with
/// <c>onUnreadable=fail</c> it ends the run instead. A single named file that cannot be read always ends the run.
/// </para>
/// </remarks>
public sealed partial class FileSource : Source
{
    private const string Usage = "file:///path/to/file.txt, file:///logs/*.log or file:///incoming/";

    // A FIFO's or a device's pipe: large reads suit whole-file sequential scans; FileStream's own buffer is turned off
    // because the pipe already buffers. A regular file is read by a PositionedFileReader.
    private const int BufferSize = 64 * 1024;
    private const int MinimumReadSize = 16 * 1024;

    private readonly ILogger _logger;
    private readonly bool _allowHidden;
    private readonly bool _ignoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
    private readonly Queue<string> _pending = new();
    private HashSet<string> _known = new(StringComparer.Ordinal);
    private bool _started;
    private bool _unseekable;
    private bool _directoryMissing;
    private bool _listingDenied;

    /// <summary>Resolves the target of <paramref name="uri"/> and reads its options; opens nothing yet.</summary>
    /// <exception cref="ConnectorUriException">The path does not exist or is out of reach, the directory cannot be listed, the pattern is misplaced, or an option does not apply.</exception>
    public FileSource(ConnectorUri uri, SourceContext context)
        : base(uri, context)
    {
        string target = uri.Target;
        if (target.Length == 0)
        {
            throw uri.Error($"file source URI '{uri.Text}' names no path; write {Usage}");
        }

        bool? watch = uri.TakeString("watch") is null ? null : uri.TakeBoolean("watch", false);
        bool? existing = uri.TakeString("existing") is null ? null : uri.TakeBoolean("existing", false);
        TimeSpan? poll = uri.TakeString("poll") is null ? null : uri.TakeDuration("poll", context.BatchInterval);
        UnreadableFilePolicy? onUnreadable = uri.TakeString("onUnreadable") is null ? null : uri.TakeEnum("onUnreadable", UnreadableFilePolicy.Skip);

        int slash = target.LastIndexOfAny(['/', System.IO.Path.DirectorySeparatorChar]);
        string directoryPart = target[..(slash + 1)];
        string lastSegment = target[(slash + 1)..];
        if (directoryPart.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw uri.Error(
                $"file source URI '{uri.Text}' has a wildcard before its last segment; only file names can be patterns: " +
                "write file:///logs/*.log, not file:///logs/*/app.log");
        }

        string[] candidates = Candidates(target, context);
        if (lastSegment.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            Kind = FileSourceKind.Glob;
            Pattern = lastSegment;
            _allowHidden = lastSegment[0] is '.' or '_';
            Watch = watch ?? false;
            Existing = existing ?? true;
            if (!Watch)
            {
                RejectUnlessWatching(uri, "existing", existing);
                RejectUnlessWatching(uri, "poll", poll);
            }

            ResolvedPath = ResolveGlobDirectory(uri, directoryPart, context);
        }
        else if (lastSegment.Length == 0 || candidates.FirstOrDefault(c => File.Exists(c) || Directory.Exists(c)) is { } found && Directory.Exists(found))
        {
            Kind = FileSourceKind.Directory;
            if (watch == false)
            {
                throw uri.Error(
                    $"file source URI '{uri.Text}' names a directory with watch=false, but a directory is always watched; " +
                    $"to read the files in it once, write {PatternExample(target)}");
            }

            Watch = true;
            Existing = existing ?? false;
            string? directory = candidates.FirstOrDefault(Directory.Exists);
            if (directory is null)
            {
                ThrowIfOutOfReach(uri, target, candidates);
                throw uri.Error(
                    $"file source URI '{uri.Text}' names directory '{target}', which does not exist (looked for {Places(candidates)}); " +
                    $"create it before the run starts, or write {Usage}");
            }

            ResolvedPath = System.IO.Path.TrimEndingDirectorySeparator(directory);
            if (!PathAccess.CanList(ResolvedPath))
            {
                throw CannotList(uri, ResolvedPath);
            }
        }
        else
        {
            Kind = FileSourceKind.File;
            RejectOnFile(uri, "watch", watch);
            RejectOnFile(uri, "existing", existing);
            RejectOnFile(uri, "poll", poll);
            RejectOnFile(uri, "onUnreadable", onUnreadable);
            string? file = candidates.FirstOrDefault(File.Exists);
            if (file is null)
            {
                ThrowIfOutOfReach(uri, target, candidates);
                throw uri.Error(
                    $"file source URI '{uri.Text}' names '{target}', which is neither a file nor a directory (looked for {Places(candidates)}); " +
                    $"check the path, or write {Usage}");
            }

            ResolvedPath = file;
        }

        OnUnreadable = onUnreadable ?? UnreadableFilePolicy.Skip;
        PollInterval = poll ?? context.BatchInterval;
        _logger = context.LoggerFactory.CreateLogger<FileSource>();
    }

    /// <summary>Whether the source reads one file, the files a pattern matches, or a watched directory.</summary>
    public FileSourceKind Kind { get; }

    /// <summary>The full path of the file, or of the directory listed for a pattern or watched.</summary>
    public string ResolvedPath { get; }

    /// <summary>The file-name pattern (<c>*.log</c>) of a <see cref="FileSourceKind.Glob"/> source, else <see langword="null"/>.</summary>
    public string? Pattern { get; }

    /// <summary>Whether the source goes on looking for new files (<c>watch</c>); always so for a directory.</summary>
    public bool Watch { get; }

    /// <summary>Whether files present at the start are read (<c>existing</c>): by default yes for a pattern, no for a directory.</summary>
    public bool Existing { get; }

    /// <summary>How often a watched directory is listed (<c>poll</c>; the batch interval by default).</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>What a pattern or a directory does with a file it may not read (<c>onUnreadable</c>): skip it, by default, or fail the run.</summary>
    public UnreadableFilePolicy OnUnreadable { get; }

    /// <summary>
    /// Returns the next file to read. A single file or an unwatched pattern ends with <see langword="null"/>
    /// after its files; a watched one waits, listing the directory every <see cref="PollInterval"/>, until a
    /// new file appears.
    /// </summary>
    public override async ValueTask<SourceStream?> NextStreamAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StartOnce();
        FinishCurrent();
        while (true)
        {
            while (_pending.TryDequeue(out string? path))
            {
                SourceStream? stream = Open(path);
                if (stream is not null)
                {
                    return stream;
                }
            }

            if (!Watch)
            {
                return null;
            }

            await Task.Delay(PollInterval, Context.TimeProvider, cancellationToken).ConfigureAwait(false);
            Poll();
        }
    }

    private void StartOnce()
    {
        if (!_started)
        {
            _started = true;
            if (_resume is { } resume)
            {
                StartFrom(resume);
            }
            else
            {
                Start();
            }
        }
    }

    // The first listing: a single file is queued as is; for a pattern or a directory, the files there now are
    // remembered, so that polls pick up only what comes after, and queued if they are to be read.
    private void Start()
    {
        if (Kind == FileSourceKind.File)
        {
            _pending.Enqueue(ResolvedPath);
            return;
        }

        List<Entry> entries = List();

        // Files skipped at the start are done, so a restart from a position skips them too.
        var skipped = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        if (!Existing)
        {
            foreach (Entry entry in entries)
            {
                skipped[entry.Name] = entry.Stamp;
            }
        }

        QueueListed(entries, skipped, current: null);
        if (Watch)
        {
            LogWatching(Uri.Text, ResolvedPath, Pattern ?? "*", DurationText.Format(PollInterval), Existing ? entries.Count : 0, Existing ? 0 : entries.Count);
        }
        else
        {
            LogMatched(Uri.Text, entries.Count, ResolvedPath, Pattern!);
        }
    }

    // A later listing: queues the files that were not there at the previous one.
    private void Poll()
    {
        List<Entry> entries;
        try
        {
            entries = List();
        }
        catch (DirectoryNotFoundException)
        {
            if (!_directoryMissing)
            {
                _directoryMissing = true;
                LogDirectoryMissing(Uri.Text, ResolvedPath);
            }

            // If the directory comes back, it is a new directory and everything in it is new.
            _known.Clear();
            _handled.Clear();
            return;
        }
        catch (UnauthorizedAccessException)
        {
            // Its permissions changed while the job runs. The names it had are kept: when it can be listed again,
            // only what arrived meanwhile is new.
            if (!_listingDenied)
            {
                _listingDenied = true;
                LogListingDenied(Uri.Text, ResolvedPath);
            }

            return;
        }

        if (_directoryMissing)
        {
            _directoryMissing = false;
            LogDirectoryBack(Uri.Text, ResolvedPath);
        }

        if (_listingDenied)
        {
            _listingDenied = false;
            LogListingAllowed(Uri.Text, ResolvedPath);
        }

        var listed = new HashSet<string>(entries.Count, StringComparer.Ordinal);
        var fresh = new List<Entry>();
        foreach (Entry entry in entries)
        {
            listed.Add(entry.Name);
            if (!_known.Contains(entry.Name))
            {
                fresh.Add(entry);
            }
        }

        _known = listed;
        ForgetUnlisted(listed);
        if (fresh.Count == 0)
        {
            return;
        }

        fresh.Sort(CompareByTimeThenName);
        LogFound(Uri.Text, fresh.Count, ResolvedPath);
        foreach (Entry entry in fresh)
        {
            _pending.Enqueue(entry.Path);
        }
    }

    private List<Entry> List()
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,

            // A directory that cannot be listed must say so, not look empty.
            IgnoreInaccessible = false,
            // Hidden names are filtered by the same rule on every platform, below, not by file attributes.
            AttributesToSkip = 0,
            ReturnSpecialDirectories = false,
        };
        var files = new FileSystemEnumerable<Entry>(
            ResolvedPath,
            static (ref FileSystemEntry entry) => new Entry(entry.ToFullPath(), entry.FileName.ToString(), entry.LastWriteTimeUtc, entry.Length),
            options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && Accepts(entry.FileName),
        };
        return [.. files];
    }

    private bool Accepts(ReadOnlySpan<char> name)
    {
        if (!_allowHidden && name.Length > 0 && name[0] is '.' or '_')
        {
            return false;
        }

        return Pattern is null || FileSystemName.MatchesSimpleExpression(Pattern, name, _ignoreCase);
    }

    private SourceStream? Open(string path)
    {
        if (OpenOrSkip(path, FileOptions.Asynchronous | FileOptions.SequentialScan) is not { } handle)
        {
            return null;
        }

        FileStream file;
        try
        {
            file = new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: true);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        try
        {
            // A FIFO or a device (file:///dev/stdin, bash's <(...)) cannot seek, and asking its length throws.
            long offset = 0;
            FileStamp stamp = default;
            if (file.CanSeek)
            {
                stamp = new FileStamp(file.Length, File.GetLastWriteTimeUtc(file.SafeFileHandle).Ticks);
                offset = ResumeOffset(path, stamp);
                if (offset > 0)
                {
                    file.Seek(offset, SeekOrigin.Begin);
                    LogResuming(Uri.Text, path, offset, stamp.Length);
                }
                else
                {
                    LogOpening(Uri.Text, path, file.Length);
                }
            }
            else
            {
                _unseekable = true;
                LogOpeningUnseekable(Uri.Text, path);
            }

            // A file that can seek is read with positioned reads on the reading loop's own thread; a FIFO or a device,
            // whose reads may wait, through a pipe of asynchronous reads.
            PipeReader reader = file.CanSeek
                ? new PositionedFileReader(file, offset)
                : PipeReader.Create(file, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: MinimumReadSize, leaveOpen: false));
            var stream = new SourceStream(path, reader);
            _current = new CurrentFile(System.IO.Path.GetFileName(path), stamp, offset, stream);
            return stream;
        }
        catch
        {
            // Until the stream is handed over, the file is this method's to close.
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a file the source reads, or returns <see langword="null"/> when the source passes it over: a listed file
    /// gone by the time it is opened, or one the process may not read with <c>onUnreadable=skip</c> (counted and logged).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A named file, or with <c>onUnreadable=fail</c> any file, cannot be read.</exception>
    private SafeFileHandle? OpenOrSkip(string path, FileOptions options)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, options);
        }
        catch (Exception error) when (Kind != FileSourceKind.File && error is FileNotFoundException or DirectoryNotFoundException)
        {
            // A listed file that is gone by the time it is opened was moved on by someone else; the rest of
            // the directory is still worth reading.
            LogVanished(Uri.Text, path);
            return null;
        }
        catch (UnauthorizedAccessException error)
        {
            if (Kind == FileSourceKind.File || OnUnreadable == UnreadableFilePolicy.Fail)
            {
                string remedy = Kind == FileSourceKind.File ? "" : ", or leave out onUnreadable=fail to skip such files with a warning";
                throw new UnauthorizedAccessException(
                    $"'{path}' cannot be read: permission denied; give the user the job runs as read permission on it{remedy}", error);
            }

            Counters.UnreadableSkipped++;
            LogUnreadableSkipped(Uri.Text, path, Counters.UnreadableSkipped);
            MarkSkipped(path);
            return null;
        }
    }

    private string ResolveGlobDirectory(ConnectorUri uri, string directoryPart, SourceContext context)
    {
        string[] directories = Candidates(directoryPart.Length == 0 ? "." : directoryPart, context)
            .Select(System.IO.Path.TrimEndingDirectorySeparator).ToArray();
        string[] present = directories.Where(Directory.Exists).ToArray();
        if (present.Length == 0)
        {
            ThrowIfOutOfReach(uri, directoryPart, directories);
            throw uri.Error(
                $"file source URI '{uri.Text}' looks for '{Pattern}' in directory '{directoryPart}', which does not exist " +
                $"(looked for {Places(directories)}); check the path, or write {Usage}");
        }

        // Relative patterns take the first directory that has a match, so bundled sample input is found even
        // when the current directory has a same-named directory without it.
        foreach (string directory in present)
        {
            bool matches;
            try
            {
                matches = Directory.EnumerateFiles(directory).Any(path => Accepts(System.IO.Path.GetFileName(path.AsSpan())));
            }
            catch (UnauthorizedAccessException)
            {
                throw CannotList(uri, directory);
            }

            if (matches)
            {
                return directory;
            }
        }

        if (!Watch)
        {
            throw uri.Error(
                $"file source URI '{uri.Text}' matches no files (looked in {Places(present)}); " +
                "check the pattern, or add ?watch=true to wait for matching files to appear");
        }

        return present[0];
    }

    // Where a target may be: itself if absolute, else under the current directory, then under the
    // application's directory.
    private static string[] Candidates(string target, SourceContext context)
    {
        if (System.IO.Path.IsPathRooted(target))
        {
            return [System.IO.Path.GetFullPath(target)];
        }

        string fromCurrent = System.IO.Path.GetFullPath(System.IO.Path.Combine(context.CurrentDirectory, target));
        string fromBase = System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, target));
        return fromCurrent == fromBase ? [fromCurrent] : [fromCurrent, fromBase];
    }

    // A path that File.Exists and Directory.Exists cannot see because a directory on the way may not be entered.
    private static void ThrowIfOutOfReach(ConnectorUri uri, string target, string[] candidates)
    {
        foreach (string candidate in candidates)
        {
            if (PathAccess.UnenterableDirectory(candidate) is { } blocked)
            {
                throw uri.Error(
                    $"file source URI '{uri.Text}' names '{target}', which is out of reach: permission denied: directory '{blocked}' cannot be entered; " +
                    $"give the user the job runs as search permission on it (e.g. chmod o+x '{blocked}'), or run the job as a user who may enter it");
            }
        }
    }

    private static ConnectorUriException CannotList(ConnectorUri uri, string directory) =>
        uri.Error(
            $"file source URI '{uri.Text}' cannot list directory '{directory}': permission denied; " +
            $"give the user the job runs as read and search permission on it (e.g. chmod o+rx '{directory}'), or run the job as a user who may list it");

    private static string Places(string[] paths) => string.Join(" and ", paths.Select(p => $"'{p}'"));

    // The URI that reads a directory's files once: file:///in/* for an absolute path, file:in/* for a relative one.
    private static string PatternExample(string target) =>
        (System.IO.Path.IsPathRooted(target) ? "file://" : "file:") + target.TrimEnd('/') + "/*";

    private static void RejectOnFile<T>(ConnectorUri uri, string option, T? value)
        where T : struct
    {
        if (value is not null)
        {
            throw uri.Error(
                $"file source URI '{uri.Text}' names one file, which is read once, so option '{option}' does not apply; " +
                "it applies to a pattern or a directory: file:///logs/*.log?watch=true or file:///incoming/?existing=true");
        }
    }

    private static void RejectUnlessWatching<T>(ConnectorUri uri, string option, T? value)
        where T : struct
    {
        if (value is not null)
        {
            throw uri.Error(
                $"file source URI '{uri.Text}' sets option '{option}', which applies only while watching; add watch=true, e.g. file:///logs/*.log?watch=true&{option}=...");
        }
    }

    private static int CompareByName(Entry x, Entry y) => string.CompareOrdinal(x.Name, y.Name);

    private static int CompareByTimeThenName(Entry x, Entry y)
    {
        int byTime = x.LastWrite.CompareTo(y.LastWrite);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.Name, y.Name);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Source}: watching {Directory} for new files matching {Pattern} every {Poll}; of the files there now, {Reading} will be read and {Skipped} skipped")]
    private partial void LogWatching(string source, string directory, string pattern, string poll, int reading, int skipped);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Source}: files in {Directory} matching {Pattern}: {Count}")]
    private partial void LogMatched(string source, int count, string directory, string pattern);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "{Source}: new files in {Directory}: {Count}")]
    private partial void LogFound(string source, int count, string directory);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "{Source}: opening {Path} ({Length} bytes)")]
    private partial void LogOpening(string source, string path, long length);

    [LoggerMessage(EventId = 207, Level = LogLevel.Debug, Message = "{Source}: opening {Path} (not a regular file: length unknown)")]
    private partial void LogOpeningUnseekable(string source, string path);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "{Source}: {Path} disappeared before it could be read; skipped")]
    private partial void LogVanished(string source, string path);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "{Source}: directory {Directory} is gone; still looking for it")]
    private partial void LogDirectoryMissing(string source, string directory);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "{Source}: directory {Directory} is back; every file in it is new")]
    private partial void LogDirectoryBack(string source, string directory);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "{Source}: skipped {Path}, which cannot be read: permission denied; unreadable files skipped so far: {Skipped}")]
    private partial void LogUnreadableSkipped(string source, string path, long skipped);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "{Source}: directory {Directory} cannot be listed: permission denied; still trying")]
    private partial void LogListingDenied(string source, string directory);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "{Source}: directory {Directory} can be listed again")]
    private partial void LogListingAllowed(string source, string directory);

    private readonly record struct Entry(string Path, string Name, DateTimeOffset LastWrite, long Length)
    {
        public FileStamp Stamp => new(Length, LastWrite.UtcTicks);
    }
}

/// <summary>What a <c>file:</c> source watching a pattern or a directory does with a file it may not read (<c>onUnreadable</c>).</summary>
public enum UnreadableFilePolicy
{
    /// <summary>Skip the file with a warning, count it in <see cref="SourceCounters.UnreadableSkipped"/>, and go on (the default).</summary>
    Skip,

    /// <summary>End the run with an error naming the file.</summary>
    Fail,
}

/// <summary>What a <c>file:</c> source URI names.</summary>
public enum FileSourceKind
{
    /// <summary>One file, read once.</summary>
    File,

    /// <summary>The files a pattern in the last segment matches (<c>file:///logs/*.log</c>).</summary>
    Glob,

    /// <summary>A directory watched for new files (<c>file:///incoming/</c>).</summary>
    Directory,
}
