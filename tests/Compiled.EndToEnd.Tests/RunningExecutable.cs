using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The word count sample's executable as a child process on real pipes, which the test feeds, reads, stops reading or
/// closes, and signals; standard error is collected as it comes.
/// </summary>
internal sealed class RunningExecutable : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _error = new();
    private readonly CancellationTokenSource _feeding = new();
    private Task _feed = Task.CompletedTask;

    private RunningExecutable(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_error)
                {
                    _error.Append(e.Data).Append('\n');
                }
            }
        };
        _process.BeginErrorReadLine();
    }

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

    /// <summary>The process's id, e.g. for its entries under <c>/proc</c>.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Ends the process at once with SIGKILL, as a machine or an OOM killer does, and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Starts the word count sample in its directory, with every standard stream on a pipe.</summary>
    public static RunningExecutable Start(string[] arguments) => Start(Repo.WordCountExecutable, Repo.WordCountDirectory, arguments);

    /// <summary>Starts <paramref name="executable"/> in <paramref name="directory"/>, with every standard stream on a pipe.</summary>
    public static RunningExecutable Start(string executable, string directory, string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new RunningExecutable(Process.Start(start)!);
    }

    /// <summary>Writes <paramref name="input"/> to the child's standard input in the background; the pipe stays open if <paramref name="keepOpen"/>, as a live feed's would.</summary>
    public void FeedStandardInput(byte[] input, bool keepOpen)
    {
        Stream stdin = _process.StandardInput.BaseStream;
        CancellationToken cancel = _feeding.Token;
        _feed = Task.Run(
            async () =>
            {
                try
                {
                    for (int offset = 0; offset < input.Length; offset += 65_536)
                    {
                        await stdin.WriteAsync(input.AsMemory(offset, Math.Min(65_536, input.Length - offset)), cancel);
                    }

                    await stdin.FlushAsync(cancel);
                    if (!keepOpen)
                    {
                        stdin.Close();
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    // The child stopped reading or ended; what it did with its input is what the test checks.
                }
            },
            cancel);
    }

    /// <summary>Reads standard output, a few kilobytes at a time, until it has shown <paramref name="text"/>, and then stops reading it.</summary>
    public async Task ReadStandardOutputUntilAsync(string text)
    {
        var seen = new StringBuilder();
        byte[] chunk = new byte[4096];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(RunningPipeline.Patience);
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            int read = await _process.StandardOutput.BaseStream.ReadAsync(chunk, deadline.Token);
            Assert.True(read > 0, $"Standard output ended before it showed '{text[..Math.Min(20, text.Length)]}...'; standard error:\n{Error}");
            seen.Append(Encoding.Latin1.GetString(chunk, 0, read));
        }
    }

    /// <summary>Reads <paramref name="count"/> lines of standard output, as <c>head -n</c> does.</summary>
    public async Task<string[]> ReadStandardOutputLinesAsync(int count)
    {
        var lines = new string[count];
        for (int i = 0; i < count; i++)
        {
            string? line = await _process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)
                .AsTask().WaitAsync(RunningPipeline.Patience, TestContext.Current.CancellationToken);
            lines[i] = line ?? throw new InvalidOperationException("Standard output ended early; standard error:\n" + Error);
        }

        return lines;
    }

    /// <summary>Reads standard output to its end, as a reader that keeps up with it does.</summary>
    public Task<string> ReadStandardOutputToEndAsync() => _process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);

    /// <summary>Closes the test's end of the standard output pipe, as <c>head</c> does when it exits.</summary>
    public void CloseStandardOutput() => _process.StandardOutput.Dispose();

    public async Task SignalAsync(string signal)
    {
        var (killed, _, killError) = await ChildProcess.RunAsync("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(killed == 0, killError);
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
    public async Task WaitForErrorAsync(string text)
    {
        DateTime deadline = DateTime.UtcNow + RunningPipeline.Patience;
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited, $"The executable ended before it wrote '{text}'; standard error:\n{Error}");
            Assert.True(DateTime.UtcNow < deadline, $"The executable did not write '{text}' to standard error in time; it wrote:\n{Error}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits for the process to end within <paramref name="bound"/>, failing (and killing it) if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(bound, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The executable did not end within {bound.TotalSeconds:F0} s; standard error:\n{Error}");
        }

        // The asynchronous reader of standard error has seen its end once the process has exited.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await _feeding.CancelAsync();
        await _feed;
        _feeding.Dispose();
        _process.Dispose();
    }
}
