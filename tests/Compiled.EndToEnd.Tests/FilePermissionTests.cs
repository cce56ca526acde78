using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The sample's executable run as user nobody against files and directories it may not read, list, enter or write:
/// a bad path is a one-line error and exit 2 before any input is read, and an unreadable file in a watched directory
/// is skipped with a warning unless the URI says it is fatal. The tests run as root, so each drops its privileges
/// with <c>setpriv</c>; the directories they create are root's, with the mode each case needs.
/// </summary>
[UnsupportedOSPlatform("windows")]
public class FilePermissionTests
{
    // Mode 700, root's: user nobody can neither list nor enter it. Mode 711: others may open files in it by name, but not
    // see which files there are; a watched directory must be listed, so that is as fatal.
    [Theory]
    [InlineData("logs", "700", "a.log", "/*.log")]
    [InlineData("logs", "700", "a.log", "/*.log?watch=true")]
    [InlineData("incoming", "711", "a.txt", "/")]
    public async Task FileSource_GlobOrWatchedDirectoryThatCannotBeListed_ExitsTwoWithOneLine(string name, string octalMode, string file, string targetTail)
    {
        using var temp = new TempDirectory();
        string locked = Locked(temp, name, (UnixFileMode)Convert.ToInt32(octalMode, 8), file);

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--source", $"file://{locked}{targetTail}"], temp.Path);

        string line = UsageError(exitCode, output, error);
        Assert.Contains($"cannot list directory '{locked}': permission denied", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_FileInADirectoryThatCannotBeEntered_SaysPermissionDeniedAndNamesTheDirectory()
    {
        using var temp = new TempDirectory();
        string locked = Locked(temp, "private", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "in.txt");

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--source", $"file://{locked}/in.txt"], temp.Path);

        string line = UsageError(exitCode, output, error);
        Assert.Contains($"permission denied: directory '{locked}' cannot be entered", line, StringComparison.Ordinal);
        Assert.DoesNotContain("neither a file nor a directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_SingleFileThatCannotBeRead_EndsTheRunNamingTheFile()
    {
        using var temp = new TempDirectory();
        string secret = temp.File("secret.txt");
        File.WriteAllText(secret, "hidden words\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--source", $"file://{secret}"], temp.Path);

        Assert.True(exitCode == 1, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Equal("", output);
        Assert.Contains($"'{secret}' cannot be read: permission denied; give the user the job runs as read permission on it", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_UnreadableFileInAWatchedDirectory_IsSkippedCountedAndTheJobGoesOn()
    {
        using var temp = new TempDirectory();
        string incoming = Path.Combine(temp.Path, "incoming");
        using var job = await StartWatchingAsync(temp, incoming);

        // Root's file, readable by root only, then one anybody may read.
        DropIn(incoming, "secret.txt", "hidden words\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        byte[] text = Encoding.UTF8.GetBytes("to be or not to be\n");
        DropIn(incoming, "public.txt", "to be or not to be\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await job.WaitForErrorAsync($"skipped {Path.Combine(incoming, "secret.txt")}, which cannot be read: permission denied; unreadable files skipped so far: 1");
        await WaitForCountsAsync(job, Path.Combine(temp.Path, "out"), Reference.WordCounts(text));

        int exitCode = await job.StopAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{job.Error}");
        Assert.DoesNotContain("hidden", string.Concat(Directory.GetFiles(Path.Combine(temp.Path, "out")).Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSource_WatchedDirectoryThatStopsBeingListable_WarnsOnceAndGoesOnWhenItCanBeListedAgain()
    {
        using var temp = new TempDirectory();
        string incoming = Path.Combine(temp.Path, "incoming");
        using var job = await StartWatchingAsync(temp, incoming);

        File.SetUnixFileMode(incoming, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        await job.WaitForErrorAsync($"directory {incoming} cannot be listed: permission denied; still trying");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(incoming, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        byte[] text = Encoding.UTF8.GetBytes("back again\n");
        DropIn(incoming, "after.txt", "back again\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        await job.WaitForErrorAsync($"directory {incoming} can be listed again");
        await WaitForCountsAsync(job, Path.Combine(temp.Path, "out"), Reference.WordCounts(text));

        int exitCode = await job.StopAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{job.Error}");
        Assert.Single(job.Error.Split('\n'), line => line.Contains("cannot be listed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileSource_UnreadableFileWithOnUnreadableFail_EndsTheJobWithTheCause()
    {
        using var temp = new TempDirectory();
        string incoming = Path.Combine(temp.Path, "incoming");
        Directory.CreateDirectory(incoming);
        using var job = Unprivileged.Start(["--source", $"file://{incoming}/?poll=50ms&onUnreadable=fail", "--batch-interval", "100ms"], temp.Path);
        await job.WaitForErrorAsync("watching");

        DropIn(incoming, "secret.txt", "hidden words\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        int exitCode = await job.WaitForExitAsync();

        Assert.True(exitCode == 1, $"exit code {exitCode}; standard error:\n{job.Error}");
        Assert.Contains($"'{Path.Combine(incoming, "secret.txt")}' cannot be read: permission denied", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSink_DirectoryThatCannotBeCreated_ExitsTwoBeforeReadingInput()
    {
        // The temporary directory is root's, mode 755: nobody cannot create "out" in it.
        using var temp = new TempDirectory();

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--sink", $"file://{temp.Path}/out/counts?suffix=txt"], temp.Path);

        string line = UsageError(exitCode, output, error);
        Assert.Contains($"cannot create directory '{Path.Combine(temp.Path, "out")}': permission denied in '{temp.Path}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileSink_DirectoryThatCannotBeWritten_ExitsTwoBeforeReadingInput()
    {
        using var temp = new TempDirectory();
        string readOnly = Path.Combine(temp.Path, "out");
        Directory.CreateDirectory(readOnly);

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--sink", $"file://{readOnly}/counts?suffix=txt"], temp.Path);

        string line = UsageError(exitCode, output, error);
        Assert.Contains($"cannot write in directory '{readOnly}': permission denied", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(readOnly));
    }

    [Fact]
    public async Task FileSink_PrefixUnderARegularFile_SaysTheFileIsNotADirectory()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("x.txt"), "a file\n");

        var (exitCode, output, error) = await Unprivileged.RunAsync(["--sink", $"file://{temp.Path}/x.txt/p"], temp.Path);

        string line = UsageError(exitCode, output, error);
        Assert.Contains($"'{temp.File("x.txt")}', which is a file, not a directory", line, StringComparison.Ordinal);
    }

    // A bad URI ends the run before it reads: nothing on standard output, one line on standard error, exit 2.
    private static string UsageError(int exitCode, string output, string error)
    {
        Assert.True(exitCode == 2, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        return line;
    }

    // A directory of root's with the given mode, holding one file.
    private static string Locked(TempDirectory temp, string name, UnixFileMode mode, string file)
    {
        string directory = Path.Combine(temp.Path, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, file), "some words\n");
        File.SetUnixFileMode(directory, mode);
        return directory;
    }

    // Starts the job as nobody watching temp/incoming (created) and counting into temp/out (the temporary directory is
    // opened to all so that nobody may create it), and waits until it is watching.
    private static async Task<RunningJob> StartWatchingAsync(TempDirectory temp, string incoming)
    {
        OpenToAll(temp.Path);
        Directory.CreateDirectory(incoming);
        var job = Unprivileged.Start(
            ["--source", $"file://{incoming}/?poll=50ms", "--sink", $"file://{temp.Path}/out/counts?suffix=txt", "--batch-interval", "100ms"], temp.Path);
        try
        {
            await job.WaitForErrorAsync("watching");
            return job;
        }
        catch
        {
            job.Dispose();
            throw;
        }
    }

    private static void OpenToAll(string directory) =>
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

    // Writes a file under a hidden name, sets its mode, and renames it in, as a watched directory expects.
    private static void DropIn(string directory, string name, string text, UnixFileMode mode)
    {
        string hidden = Path.Combine(directory, "." + name + ".tmp");
        File.WriteAllText(hidden, text);
        File.SetUnixFileMode(hidden, mode);
        File.Move(hidden, Path.Combine(directory, name));
    }

    // Waits until the job's file sink output adds up to the expected counts, failing if the job ends first.
    private static async Task WaitForCountsAsync(RunningJob job, string directory, Dictionary<string, long> expected)
    {
        DateTime deadline = DateTime.UtcNow + RunningPipeline.Patience;
        while (!Directory.Exists(directory) || !FileSinkOutput.Sum(FileSinkOutput.Batches(directory, "counts").Values).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(expected.OrderBy(p => p.Key, StringComparer.Ordinal)))
        {
            Assert.False(job.Process.HasExited, "The job ended; standard error:\n" + job.Error);
            Assert.True(DateTime.UtcNow < deadline, "The counts never appeared; standard error:\n" + job.Error);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>Runs the sample's executable as user nobody (uid and gid 65534, no groups) through util-linux's <c>setpriv</c>.</summary>
internal static class Unprivileged
{
    private const string Setpriv = "/usr/bin/setpriv";

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> arguments, string workingDirectory) =>
        ChildProcess.RunAsync(RequireSetpriv(), Prefix.Concat(arguments), workingDirectory);

    public static RunningJob Start(IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(RequireSetpriv())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in Prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return new RunningJob(Process.Start(start)!);
    }

    // setpriv replaces itself with the executable, so the process started is the job itself (signals reach it).
    private static IEnumerable<string> Prefix => ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Repo.WordCountExecutable];

    private static string RequireSetpriv()
    {
        if (!File.Exists(Setpriv))
        {
            throw new InvalidOperationException(
                $"These tests run the sample as user nobody through {Setpriv}, which is missing; install util-linux (apt-get install util-linux).");
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"These tests must run as root, to create files another user cannot read and drop to user nobody; they run as '{Environment.UserName}'.");
        }

        return Setpriv;
    }
}

/// <summary>A job started in the background: its standard error as it comes, a stop by SIGTERM, and its end.</summary>
internal sealed class RunningJob : IDisposable
{
    private readonly StringBuilder _error = new();
    private readonly Task<string> _output;

    public RunningJob(Process process)
    {
        Process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_error)
            {
                _error.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        _output = process.StandardOutput.ReadToEndAsync();
    }

    public Process Process { get; }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>; fails if the job ends first or takes too long.</summary>
    public async Task WaitForErrorAsync(string text)
    {
        DateTime deadline = DateTime.UtcNow + RunningPipeline.Patience;
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(Process.HasExited, $"The job ended before it logged '{text}'; standard error:\n{Error}");
            Assert.True(DateTime.UtcNow < deadline, $"The job never logged '{text}'; standard error:\n{Error}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Sends SIGTERM and waits for the job to end.</summary>
    public async Task<int> StopAsync()
    {
        var (killed, _, killError) = await ChildProcess.RunAsync("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(killed == 0, killError);
        return await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        await Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
        await _output;

        // The last lines of standard error arrive after the exit; waiting without a timeout flushes them.
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }
}
