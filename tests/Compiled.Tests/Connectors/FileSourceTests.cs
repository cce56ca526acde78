using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Compiled.Connectors;
using Compiled.Connectors.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors;

public sealed class FileSourceTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public FileSourceTests()
    {
        _loggerFactory = _logs.CreateFactory();
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task FileSource_OneFile_ReadWholeThenEnds()
    {
        using var deadline = Eventually.Deadline();
        string text = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"record {i}\n"));
        string path = _dir.Write("input.txt", text);
        await using Source source = Create($"file://{path}");

        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.Equal(path, stream.Name);
        Assert.Equal(text, Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token)));
        await stream.DisposeAsync();

        Assert.Null(await source.NextStreamAsync(deadline.Token));
        Assert.Null(await source.NextStreamAsync(deadline.Token));
    }

    [Fact]
    public async Task FileSource_NamedPipe_ReadWholeThenEnds()
    {
        // A FIFO, like file:///dev/stdin or bash's <(...) (file:///dev/fd/63): a file that cannot seek and
        // has no length.
        Assert.SkipWhen(OperatingSystem.IsWindows(), "mkfifo is Unix only");
        using var deadline = Eventually.Deadline();
        string fifo = _dir.Combine("fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // More than a pipe's buffer (64 KiB on Linux): the writer goes on only as the source reads. Opening a
        // FIFO waits for its other end, so the writer has a thread of its own.
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"record {i}\n")));
        var written = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new Thread(() =>
        {
            try
            {
                using var output = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                for (int at = 0; at < text.Length; at += 10_000)
                {
                    output.Write(text, at, Math.Min(10_000, text.Length - at));
                }

                written.SetResult(true);
            }
            catch (Exception error)
            {
                written.SetException(error);
            }
        })
        { IsBackground = true, Name = "FIFO writer" };
        writer.Start();

        await using Source source = Create($"file://{fifo}");
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.Equal(fifo, stream.Name);
        byte[] received = await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token);
        await stream.DisposeAsync();

        Assert.True(await Eventually.WithinLimit(written.Task, "the FIFO writer"));
        Assert.Equal(text.Length, received.Length);
        Assert.True(text.AsSpan().SequenceEqual(received), "the bytes read differ from those written");
        Assert.Null(await source.NextStreamAsync(deadline.Token));
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Debug
            && l.Message == $"file://{fifo}: opening {fifo} (not a regular file: length unknown)");
    }

    [Fact]
    public async Task FileSource_CancelPendingRead_ReturnsCanceledAndLosesNoData()
    {
        using var deadline = Eventually.Deadline();
        string text = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{i}\n"));
        await using Source source = Create($"file://{_dir.Write("input.txt", text)}");
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);

        // A batch cut that lands between reads makes the next read return at once, marked cancelled.
        stream.Reader.CancelPendingRead();
        ReadResult cut = await stream.Reader.ReadAsync(deadline.Token);
        Assert.True(cut.IsCanceled);
        stream.Reader.AdvanceTo(cut.Buffer.Start, cut.Buffer.End);

        Assert.Equal(text, Encoding.UTF8.GetString(await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token)));
        await stream.DisposeAsync();
    }

    [Theory]
    [InlineData("file:data/in.txt")]
    [InlineData("file://data/in.txt")]
    public async Task FileSource_RelativePath_ResolvesAgainstCurrentDirectory(string uri)
    {
        using var deadline = Eventually.Deadline();
        Directory.CreateDirectory(_dir.Combine("data"));
        string path = _dir.Write("data/in.txt", "relative\n");
        await using Source source = Create(uri);

        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        Assert.Equal(path, stream.Name);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task FileSource_RelativePath_FallsBackToTheApplicationDirectory()
    {
        using var deadline = Eventually.Deadline();
        string name = $"bundled-{Guid.NewGuid():N}.txt";
        string bundled = Path.Combine(AppContext.BaseDirectory, name);
        File.WriteAllText(bundled, "bundled\n");
        try
        {
            await using Source source = Create($"file:{name}");
            SourceStream? stream = await source.NextStreamAsync(deadline.Token);
            Assert.NotNull(stream);
            Assert.Equal(bundled, stream.Name);
            Assert.Equal("bundled\n"u8.ToArray(), await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token));
            await stream.DisposeAsync();

            // The same name in the current directory wins over the bundled one.
            string local = _dir.Write(name, "local\n");
            await using Source preferring = Create($"file:{name}");
            SourceStream? preferred = await preferring.NextStreamAsync(deadline.Token);
            Assert.NotNull(preferred);
            Assert.Equal(local, preferred.Name);
            await preferred.DisposeAsync();
        }
        finally
        {
            File.Delete(bundled);
        }
    }

    [Fact]
    public void FileSource_MissingFile_NamesEveryPlaceLookedIn()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create("file:nowhere/in.txt"));

        string fromCurrent = _dir.Combine("nowhere/in.txt");
        string fromBase = Path.Combine(AppContext.BaseDirectory, "nowhere/in.txt");
        Assert.Equal(
            $"file source URI 'file:nowhere/in.txt' names 'nowhere/in.txt', which is neither a file nor a directory (looked for '{fromCurrent}' and '{fromBase}'); " +
            "check the path, or write file:///path/to/file.txt, file:///logs/*.log or file:///incoming/",
            error.Message);
    }

    [Fact]
    public void FileSource_MissingAbsoluteDirectory_SaysSo()
    {
        string missing = _dir.Combine("incoming") + "/";
        var error = Assert.Throws<ConnectorUriException>(() => Create($"file://{missing}"));

        Assert.Contains($"names directory '{missing}', which does not exist (looked for '{missing}'); create it before the run starts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_Glob_ReadsMatchesInOrdinalOrderThenEnds()
    {
        using var deadline = Eventually.Deadline();
        foreach (string name in new[] { "b.log", "a.log", "B.log", "c.txt", ".hidden.log", "_temporary.log", "a.log.1" })
        {
            _dir.Write(name, name + "\n");
        }

        Directory.CreateDirectory(_dir.Combine("dir.log"));
        await using Source source = Create($"file://{_dir.Path}/*.log");

        Assert.Equal(["B.log", "a.log", "b.log"], await ReadNamesAsync(source, 3, deadline.Token));
        Assert.Null(await source.NextStreamAsync(deadline.Token));
    }

    [Fact]
    public async Task FileSource_GlobStartingWithDot_MatchesHiddenNames()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write(".env", "x\n");
        _dir.Write("env", "x\n");
        await using Source source = Create($"file://{_dir.Path}/.e*");

        Assert.Equal([".env"], await ReadNamesAsync(source, 1, deadline.Token));
        Assert.Null(await source.NextStreamAsync(deadline.Token));
    }

    [Fact]
    public void FileSource_GlobMatchingNothing_SuggestsWatching()
    {
        _dir.Write("a.txt", "x\n");
        var error = Assert.Throws<ConnectorUriException>(() => Create($"file://{_dir.Path}/*.log"));

        Assert.Contains($"matches no files (looked in '{_dir.Path}'); check the pattern, or add ?watch=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_GlobWatched_ReadsExistingMatchesThenNewOnes()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("a.log", "a\n");
        _dir.Write("skip.txt", "no\n");
        await using Source source = Create($"file://{_dir.Path}/*.log?watch=true");
        Assert.Equal(["a.log"], await ReadNamesAsync(source, 1, deadline.Token));

        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        _dir.Write("late.txt", "no\n");
        _dir.Write("late.log", "late\n");

        await using SourceStream? stream = await AdvanceUntilAsync(next);
        Assert.Equal(_dir.Combine("late.log"), stream?.Name);
    }

    [Fact]
    public async Task FileSource_GlobWatchedWithoutExisting_SkipsFilesThereAtStart()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("old.log", "old\n");
        await using Source source = Create($"file://{_dir.Path}/*.log?watch=true&existing=false");

        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        _dir.Write("new.log", "new\n");

        await using SourceStream? stream = await AdvanceUntilAsync(next);
        Assert.Equal(_dir.Combine("new.log"), stream?.Name);
    }

    [Fact]
    public async Task FileSource_Directory_ReadsEachNewFileOnceInOrderOfArrival()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("there-before.txt", "old\n");
        await using Source source = Create($"file://{_dir.Path}/");
        var directory = Assert.IsType<FileSource>(source);
        Assert.Equal(FileSourceKind.Directory, directory.Kind);
        Assert.Equal(_dir.Path, directory.ResolvedPath);
        Assert.Equal(Poll, directory.PollInterval);

        // Everything below appears while the source waits for its first poll, so one listing finds it all.
        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        Assert.False(next.IsCompleted);
        Touch(_dir.Write("z-first.txt", "1\n"), 1);
        Touch(_dir.Write("b-second.txt", "2\n"), 2);
        Touch(_dir.Write("a-second.txt", "2\n"), 2);
        _dir.Write(".part-0001.tmp", "writing\n");
        _dir.Write("_SUCCESS", "");
        Directory.CreateDirectory(_dir.Combine("subdirectory"));
        _dir.Write("subdirectory/nested.txt", "no\n");

        var names = new List<string> { Path.GetFileName((await ReadAsync(await AdvanceUntilAsync(next), deadline.Token)).Name) };
        names.AddRange(await ReadNamesAsync(source, 2, deadline.Token));
        Assert.Equal(["z-first.txt", "a-second.txt", "b-second.txt"], names);

        // The way the file sink publishes: written under a hidden name, then renamed into place.
        next = source.NextStreamAsync(deadline.Token).AsTask();
        File.WriteAllText(_dir.Combine(".batch-2.tmp"), "renamed in\n");
        File.Move(_dir.Combine(".batch-2.tmp"), _dir.Combine("batch-2.txt"));
        SourceStream renamed = await ReadAsync(await AdvanceUntilAsync(next), deadline.Token);
        Assert.Equal(_dir.Combine("batch-2.txt"), renamed.Name);

        // Nothing read before comes again, and the file that was there at the start never comes.
        next = source.NextStreamAsync(deadline.Token).AsTask();
        _dir.Write("last.txt", "last\n");
        SourceStream last = await ReadAsync(await AdvanceUntilAsync(next), deadline.Token);
        Assert.Equal(_dir.Combine("last.txt"), last.Name);
    }

    [Fact]
    public async Task FileSource_DirectoryWithExisting_ReadsFilesThereAtStartFirst()
    {
        using var deadline = Eventually.Deadline();
        Touch(_dir.Write("b.txt", "b\n"), 1);
        Touch(_dir.Write("a.txt", "a\n"), 2);
        _dir.Write(".hidden", "no\n");
        await using Source source = Create($"file://{_dir.Path}?existing=true&poll=250ms");
        Assert.Equal(TimeSpan.FromMilliseconds(250), Assert.IsType<FileSource>(source).PollInterval);

        Assert.Equal(["b.txt", "a.txt"], await ReadNamesAsync(source, 2, deadline.Token));

        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        _dir.Write("c.txt", "c\n");
        await using SourceStream? stream = await AdvanceUntilAsync(next, TimeSpan.FromMilliseconds(250));
        Assert.Equal(_dir.Combine("c.txt"), stream?.Name);
    }

    [Fact]
    public async Task FileSource_DirectoryWithRealClock_PicksUpANewFile()
    {
        using var deadline = Eventually.Deadline();
        await using Source source = ConnectorRegistry.CreateSource($"file://{_dir.Path}/?poll=20ms", new SourceContext());

        Task<SourceStream?> next = source.NextStreamAsync(deadline.Token).AsTask();
        _dir.Write("arrived.txt", "hello\n");

        await using SourceStream? stream = await Eventually.WithinLimit(next, "the new file");
        Assert.NotNull(stream);
        Assert.Equal("hello\n"u8.ToArray(), await PipeReading.ReadToEndAsync(stream.Reader, deadline.Token));
    }

    [Fact]
    public async Task FileSource_WatchedDirectory_CancelEndsTheWait()
    {
        using var deadline = Eventually.Deadline();
        await using Source source = Create($"file://{_dir.Path}/");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);

        Task<SourceStream?> next = source.NextStreamAsync(stop.Token).AsTask();
        Assert.False(next.IsCompleted);
        await stop.CancelAsync();

        Task finished = await Task.WhenAny(next, Task.Delay(Eventually.Limit, deadline.Token));
        Assert.Same(next, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task FileSource_WatchedDirectory_LogsWhatItWatches()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("old.txt", "old\n");
        await using Source source = Create($"file://{_dir.Path}/");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);

        Task<SourceStream?> next = source.NextStreamAsync(stop.Token).AsTask();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);

        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Information
            && l.Message == $"file://{_dir.Path}/: watching {_dir.Path} for new files matching * every 1s; of the files there now, 0 will be read and 1 skipped");
    }

    [Theory]
    [InlineData("file:///in.txt?watch=true", "names one file, which is read once, so option 'watch' does not apply")]
    [InlineData("file:///in.txt?existing=true", "names one file, which is read once, so option 'existing' does not apply")]
    [InlineData("file:///in.txt?poll=1s", "names one file, which is read once, so option 'poll' does not apply")]
    [InlineData("file:///*.log?poll=1s", "sets option 'poll', which applies only while watching; add watch=true")]
    [InlineData("file:///*.log?existing=false", "sets option 'existing', which applies only while watching; add watch=true")]
    [InlineData("file:///logs/*/app.log", "has a wildcard before its last segment")]
    [InlineData("file:", "names no path; write file:///path/to/file.txt, file:///logs/*.log or file:///incoming/")]
    [InlineData("file:///in.txt?wacth=true", "has an unknown option 'wacth'; the options of a file source are: existing, maxRecordBytes, onBadRecord, onOversize, onUnreadable, poll, watch")]
    [InlineData("file:///in.txt?onUnreadable=fail", "names one file, which is read once, so option 'onUnreadable' does not apply")]
    [InlineData("file:///in/?onUnreadable=ignore", "is not valid; write skip or fail")]
    [InlineData("file:///in/?poll=soon", "option 'poll=soon' of source URI")]
    [InlineData("file:///in/?poll=0ms", "is not positive; give from 1ms to 4294967294ms")]
    public void FileSource_BadUri_SaysWhatToWrite(string uri, string expected)
    {
        File.WriteAllText(_dir.Combine("in.txt"), "x\n");
        Directory.CreateDirectory(_dir.Combine("in"));
        File.WriteAllText(_dir.Combine("a.log"), "x\n");
        string rooted = uri.Replace("file:///", $"file://{_dir.Path}/", StringComparison.Ordinal);

        var error = Assert.Throws<ConnectorUriException>(() => Create(rooted));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileSource_DirectoryWithWatchFalse_PointsAtThePattern()
    {
        var error = Assert.Throws<ConnectorUriException>(() => Create($"file://{_dir.Path}?watch=false"));

        Assert.Contains($"a directory is always watched; to read the files in it once, write file://{_dir.Path}/*", error.Message, StringComparison.Ordinal);
    }

    private Source Create(string uri) =>
        ConnectorRegistry.CreateSource(uri, new SourceContext
        {
            TimeProvider = _time,
            LoggerFactory = _loggerFactory,
            BatchInterval = Poll,
            CurrentDirectory = _dir.Path,
        });

    private static void Touch(string path, int seconds) => File.SetLastWriteTimeUtc(path, Epoch.AddSeconds(seconds));

    // Moves the fake clock a poll at a time until the source's wait ends. The continuation after a poll may
    // run on another thread, so a single step could land before the next wait is armed; stepping until the
    // result arrives makes the test independent of that.
    private async Task<SourceStream?> AdvanceUntilAsync(Task<SourceStream?> next, TimeSpan? step = null)
    {
        DateTime giveUp = DateTime.UtcNow + Eventually.Limit;
        while (!next.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the watched source found no new file in time");
            _time.Advance(step ?? Poll);
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return await next;
    }

    // Reads a stream to its end, checks it holds what it was written with, and releases it.
    private static async Task<SourceStream> ReadAsync(SourceStream? stream, CancellationToken cancellationToken)
    {
        Assert.NotNull(stream);
        byte[] bytes = await PipeReading.ReadToEndAsync(stream.Reader, cancellationToken);
        Assert.Equal(await File.ReadAllBytesAsync(stream.Name, cancellationToken), bytes);
        await stream.DisposeAsync();
        return stream;
    }

    private static async Task<List<string>> ReadNamesAsync(Source source, int count, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        for (int i = 0; i < count; i++)
        {
            SourceStream stream = await ReadAsync(await source.NextStreamAsync(cancellationToken), cancellationToken);
            names.Add(Path.GetFileName(stream.Name));
        }

        return names;
    }
}
