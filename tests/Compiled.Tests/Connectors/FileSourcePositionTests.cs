using System.Text;
using Compiled.Checkpoints;
using Compiled.Connectors;
using Compiled.Connectors.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Connectors;

/// <summary>
/// A file source's position at a batch boundary, and a new source resumed from it: together they deliver every record
/// exactly once, whatever the boundary cut (a record straddling it, a CRLF split by it, a dropped oversize record).
/// </summary>
public sealed class FileSourcePositionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public FileSourcePositionTests()
    {
        _loggerFactory = _logs.CreateFactory();
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(null, 1500)]
    [InlineData(7, 3)]
    [InlineData(1000, 40)]
    [InlineData(4097, 700)]
    public async Task OneFile_ResumedFromABoundary_DeliversExactlyTheRemainingRecords(int? bytesPerProcess, int stopAfter)
    {
        using var deadline = Eventually.Deadline();

        // CRLF lines of varying length, over 64 KiB so the first buffer ends inside a record; the last line has no end.
        string[] lines = Lines(3000, "crlf");
        string path = _dir.Write("in.txt", string.Join("\r\n", lines));

        SourcePosition position;
        List<string> before;
        await using (var first = new LaneReader(Create($"file://{path}"), bytesPerProcess))
        {
            await first.ReadAtLeastAsync(stopAfter, deadline.Token);
            position = first.TakePosition();
            before = [.. first.Records];
        }

        Assert.InRange(before.Count, stopAfter, lines.Length - 1);
        long offset = Encoding.UTF8.GetByteCount(string.Join("\r\n", lines.Take(before.Count))) + 2;
        Assert.Equal($"file {path}: at byte {offset}", position.ToString());

        await using var second = new LaneReader(Resume($"file://{path}", position), bytesPerProcess);
        await second.ReadToEndAsync(deadline.Token);
        Assert.Equal(lines, before.Concat(second.Records));
        Assert.Equal($"file {path}: read to its end", second.TakePosition().ToString());
    }

    [Fact]
    public async Task OneFile_ManyRestartsAtSmallSteps_EveryRecordOnce()
    {
        using var deadline = Eventually.Deadline();
        string[] lines = Lines(60, "step");
        string path = _dir.Write("in.txt", string.Join("\n", lines) + "\n");

        var all = new List<string>();
        SourcePosition? position = null;
        for (int restart = 0; restart <= lines.Length && all.Count < lines.Length; restart++)
        {
            await using var reader = new LaneReader(position is null ? Create($"file://{path}") : Resume($"file://{path}", position), bytesPerProcess: 5);
            await reader.ReadAtLeastAsync(1, deadline.Token);
            position = reader.TakePosition();
            all.AddRange(reader.Records);
        }

        Assert.Equal(lines, all);
    }

    [Fact]
    public async Task OneFile_ReadToItsEnd_ResumesToNothing()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("in.txt", "a\nb\n");
        SourcePosition position;
        await using (var first = new LaneReader(Create($"file://{path}")))
        {
            await first.ReadToEndAsync(deadline.Token);
            Assert.Equal(["a", "b"], first.Records);
            position = first.TakePosition();
        }

        await using var second = new LaneReader(Resume($"file://{path}", position));
        await second.ReadToEndAsync(deadline.Token);
        Assert.Empty(second.Records);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1000)]
    public async Task OneFile_BoundaryInsideADroppedOversizeRecord_ResumeDropsItWholeAgain(int? bytesPerProcess)
    {
        using var deadline = Eventually.Deadline();

        // The long record is dropped (onOversize=skip); the first reader stops while the framer is inside it (it is
        // longer than two reads of 256 KiB, so the reading loop's first two buffers end inside it too).
        string longRecord = new('x', 1_000_000);
        string path = _dir.Write("in.txt", $"one\ntwo\n{longRecord}\nthree\n");
        string uri = $"file://{path}?maxRecordBytes=100&onOversize=skip";
        SourcePosition position;
        await using (var first = new LaneReader(Create(uri), bytesPerProcess))
        {
            await first.ReadAtLeastAsync(2, deadline.Token);
            Assert.Equal(["one", "two"], first.Records);
            await first.SettleAsync(1, deadline.Token);
            Assert.True(first.Source.Counters.DroppingBytes > 0, "the reader should stop inside the dropped record");
            position = first.TakePosition();
            Assert.Equal($"file {path}: at byte 8", position.ToString());
        }

        await using var second = new LaneReader(Resume(uri, position), bytesPerProcess);
        await second.ReadToEndAsync(deadline.Token);
        Assert.Equal(["three"], second.Records);
        Assert.Equal(1, second.Source.Counters.OversizeSkipped);
    }

    [Fact]
    public async Task Glob_MidWay_SkipsFinishedFilesAndResumesInTheFileInProgress()
    {
        using var deadline = Eventually.Deadline();
        string[] a = Lines(10, "a");
        string[] b = Lines(3000, "b");
        string[] c = Lines(10, "c");
        _dir.Write("a.log", string.Join("\n", a) + "\n");
        _dir.Write("b.log", string.Join("\n", b) + "\n");
        _dir.Write("c.log", string.Join("\n", c) + "\n");

        string uri = $"file://{_dir.Path}/*.log";
        SourcePosition position;
        List<string> before;
        await using (var first = new LaneReader(Create(uri), bytesPerProcess: 333))
        {
            await first.ReadAtLeastAsync(a.Length + 50, deadline.Token);
            before = [.. first.Records];
            position = first.TakePosition();
        }

        Assert.StartsWith($"pattern {_dir.Path}/*.log: 1 file done, b.log at byte ", position.ToString(), StringComparison.Ordinal);

        // A file that starts to match while the job is down is read after the restart, in name order.
        string[] d = Lines(5, "d");
        _dir.Write("d.log", string.Join("\n", d) + "\n");
        await using var second = new LaneReader(Resume(uri, position), bytesPerProcess: 333);
        await second.ReadToEndAsync(deadline.Token);
        Assert.Equal(a.Concat(b).Concat(c).Concat(d), before.Concat(second.Records));
    }

    [Fact]
    public async Task WatchedDirectory_FilesAddedWhileDown_ReadOnceAfterTheFileInProgress()
    {
        using var deadline = Eventually.Deadline();
        string[] a = Lines(20, "a");
        string[] b = Lines(3000, "b");
        Write("a.txt", a, ageSeconds: 30);
        Write("b.txt", b, ageSeconds: 20);
        string uri = $"file://{_dir.Path}/?existing=true";

        SourcePosition position;
        List<string> before;
        await using (var first = new LaneReader(Create(uri), bytesPerProcess: 500))
        {
            await first.ReadAtLeastAsync(a.Length + 10, deadline.Token);
            before = [.. first.Records];
            position = first.TakePosition();
        }

        Assert.StartsWith($"directory {_dir.Path}: 1 file done, b.txt at byte ", position.ToString(), StringComparison.Ordinal);

        // While the job is down: two files arrive, in this order, and the finished one is moved away.
        string[] d = Lines(7, "d");
        string[] c = Lines(9, "c");
        Write("d.txt", d, ageSeconds: 10);
        Write("c.txt", c, ageSeconds: 5);
        File.Move(_dir.Combine("a.txt"), _dir.Combine(".a.done"));

        await using var second = new LaneReader(Resume(uri, position), bytesPerProcess: 500);
        int expected = a.Length + b.Length + d.Length + c.Length;
        await second.ReadAtLeastAsync(expected - before.Count, deadline.Token);
        await second.SettleAsync(20, deadline.Token);
        Assert.Equal(a.Concat(b).Concat(d).Concat(c), before.Concat(second.Records));

        // The moved file is forgotten once a listing no longer shows it; the position holds what is there.
        Assert.Equal($"directory {_dir.Path}: 3 files done", second.TakePosition().ToString());
    }

    [Fact]
    public async Task WatchedDirectory_FilesSkippedAtTheStart_StaySkippedAfterARestart()
    {
        using var deadline = Eventually.Deadline();
        Write("old.txt", ["old"], ageSeconds: 60);
        string uri = $"file://{_dir.Path}/";
        SourcePosition position;
        await using (var first = new LaneReader(Create(uri)))
        {
            await first.SettleAsync(3, deadline.Token);
            Assert.Empty(first.Records);
            position = first.TakePosition();
        }

        Assert.Equal($"directory {_dir.Path}: 1 file done", position.ToString());
        Write("new.txt", ["new"], ageSeconds: 1);
        await using var second = new LaneReader(Resume(uri, position));
        await second.ReadAtLeastAsync(1, deadline.Token);
        await second.SettleAsync(20, deadline.Token);
        Assert.Equal(["new"], second.Records);
    }

    [Fact]
    public async Task WatchedDirectory_FileInProgressGone_WarnsAndReadsTheRest()
    {
        using var deadline = Eventually.Deadline();
        Write("a.txt", Lines(3000, "a"), ageSeconds: 20);
        string uri = $"file://{_dir.Path}/?existing=true";
        SourcePosition position = await PositionAfterAsync(uri, 10, deadline.Token);

        File.Delete(_dir.Combine("a.txt"));
        Write("b.txt", ["b"], ageSeconds: 1);
        await using var second = new LaneReader(Resume(uri, position));
        await second.ReadAtLeastAsync(1, deadline.Token);
        await second.SettleAsync(20, deadline.Token);
        Assert.Equal(["b"], second.Records);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith($"{uri}: a.txt, which was being read at byte ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneFile_ShrunkSinceThePosition_FailsNamingTheFileAndTheRemedy()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("in.txt", string.Join("\n", Lines(3000, "x")) + "\n");
        string uri = $"file://{path}";
        SourcePosition position = await PositionAfterAsync(uri, 100, deadline.Token);

        File.WriteAllText(path, "short\n");
        await using Source resumed = Resume(uri, position);
        var error = await Assert.ThrowsAsync<SourcePositionException>(async () => await resumed.NextStreamAsync(deadline.Token));
        Assert.StartsWith($"Source {uri} cannot resume from its checkpoint: it was reading '{path}' at byte ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("and the file is now 6 bytes long; it was truncated or replaced, so what is left of it cannot be matched to what was read. Restore the file, or start from a new checkpoint directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneFile_ChangedSinceThePosition_FailsSayingWhatChanged()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("in.txt", string.Join("\n", Lines(3000, "x")) + "\n");
        string uri = $"file://{path}";
        SourcePosition position = await PositionAfterAsync(uri, 100, deadline.Token);

        File.AppendAllText(path, "appended\n");
        await using Source resumed = Resume(uri, position);
        var error = await Assert.ThrowsAsync<SourcePositionException>(async () => await resumed.NextStreamAsync(deadline.Token));
        Assert.Contains("and the file changed since (length ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("a file must not change while it is read. Restore the file, or start from a new checkpoint directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Glob_FileInProgressGone_FailsNamingIt()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("a.log", string.Join("\n", Lines(3000, "a")) + "\n");
        string uri = $"file://{_dir.Path}/*.log";
        SourcePosition position = await PositionAfterAsync(uri, 10, deadline.Token);

        File.Move(_dir.Combine("a.log"), _dir.Combine("a.old"));
        _dir.Write("b.log", "b\n");
        await using Source resumed = Resume(uri, position);
        var error = await Assert.ThrowsAsync<SourcePositionException>(async () => await resumed.NextStreamAsync(deadline.Token));
        Assert.StartsWith($"Source {uri} cannot resume from its checkpoint: it was reading 'a.log' in '{_dir.Path}' at byte ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("and that file is gone; put the file back to resume, or start from a new checkpoint directory to read the pattern from the start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Position_OfAnotherSource_IsRefusedNamingBoth()
    {
        using var deadline = Eventually.Deadline();
        string one = _dir.Write("one.txt", "1\n");
        string two = _dir.Write("two.txt", "2\n");
        SourcePosition position = await PositionAfterAsync($"file://{one}", 1, deadline.Token);

        await using Source other = Create($"file://{two}");
        var error = Assert.Throws<InvalidDataException>(() => other.ResumeFrom(position));
        Assert.Equal(
            $"Source file://{two} cannot resume from position 'file {one}: at byte 2': it was written by a file source of file {one}, and this one reads file {two}. " +
            "Resume with the source URI the checkpoint was written with, or start from a new checkpoint directory.",
            error.Message);
    }

    [Fact]
    public async Task Resumed_BeforeReadingAnything_ReportsThePositionItWasGiven()
    {
        using var deadline = Eventually.Deadline();
        _dir.Write("a.log", "a\n");
        _dir.Write("b.log", string.Join("\n", Lines(3000, "b")) + "\n");
        string uri = $"file://{_dir.Path}/*.log";
        SourcePosition position = await PositionAfterAsync(uri, 10, deadline.Token);
        Assert.Contains("1 file done, b.log at byte ", position.ToString(), StringComparison.Ordinal);

        // A checkpoint taken before the resumed source opened its file in progress must not lose that file's offset.
        await using Source resumed = Resume(uri, position);
        SourcePosition again = resumed.GetPosition();
        Assert.Equal(position, again);
        Assert.Equal(position.ToString(), again.ToString());
    }

    [Fact]
    public async Task ResumeFrom_AfterReadingStarted_Throws()
    {
        using var deadline = Eventually.Deadline();
        string path = _dir.Write("in.txt", "1\n");
        await using Source source = Create($"file://{path}");
        SourcePosition position = source.GetPosition();
        SourceStream? stream = await source.NextStreamAsync(deadline.Token);
        Assert.NotNull(stream);
        await stream.DisposeAsync();
        Assert.Throws<InvalidOperationException>(() => source.ResumeFrom(position));
    }

    [Fact]
    public void FileSource_IsReplayable_ButADeviceIsNot()
    {
        string path = _dir.Write("in.txt", "1\n");
        Assert.Equal(SourceReplay.Replayable, Create($"file://{path}").Replay);
        Assert.SkipWhen(OperatingSystem.IsWindows(), "/dev/null is Unix only");
        Source device = Create("file:///dev/null");
        Assert.Equal(SourceReplay.NotReplayable("'/dev/null' is a device or a pipe, which cannot be read again"), device.Replay);
        Assert.Throws<NotSupportedException>(device.GetPosition);
    }

    private async Task<SourcePosition> PositionAfterAsync(string uri, int records, CancellationToken cancellationToken)
    {
        await using var reader = new LaneReader(Create(uri), bytesPerProcess: 1000);
        await reader.ReadAtLeastAsync(records, cancellationToken);
        return reader.TakePosition();
    }

    private static string[] Lines(int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix} {i} " + new string((char)('a' + (i % 26)), i % 97))];

    private void Write(string name, string[] lines, int ageSeconds)
    {
        string path = _dir.Write(name, string.Join("\n", lines) + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(-ageSeconds));
    }

    private Source Create(string uri) =>
        ConnectorRegistry.CreateSource(uri, new SourceContext
        {
            TimeProvider = _time,
            LoggerFactory = _loggerFactory,
            BatchInterval = TimeSpan.FromSeconds(1),
            CurrentDirectory = _dir.Path,
        });

    private Source Resume(string uri, SourcePosition position)
    {
        Source source = Create(uri);
        source.ResumeFrom(position);
        return source;
    }
}
