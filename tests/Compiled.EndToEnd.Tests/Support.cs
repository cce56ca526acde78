using System.Diagnostics;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>Where things are: the repository, the sample's executable, temporary directories.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration these tests were built in (Debug or Release), so the sample matches.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string WordCountDirectory => Path.Combine(Root, "samples", "WordCount");

    public static string WordCountExecutable => Path.Combine(WordCountDirectory, "bin", Configuration, "net10.0", "WordCount");

    public static string BundledBook => Path.Combine(WordCountDirectory, "input", "genesis-kjv.txt");

    public static string StatefulWordCountDirectory => Path.Combine(Root, "samples", "StatefulWordCount");

    public static string StatefulWordCountExecutable => Path.Combine(StatefulWordCountDirectory, "bin", Configuration, "net10.0", "StatefulWordCount");

    public static string PageViewsDirectory => Path.Combine(Root, "samples", "PageViews");

    public static string PageViewsExecutable => Path.Combine(PageViewsDirectory, "bin", Configuration, "net10.0", "PageViews");

    public static string LogMonitorDirectory => Path.Combine(Root, "samples", "LogMonitor");

    public static string LogMonitorExecutable => Path.Combine(LogMonitorDirectory, "bin", Configuration, "net10.0", "LogMonitor");

    public static string NexmarkDirectory => Path.Combine(Root, "samples", "Nexmark");

    public static string NexmarkExecutable => Path.Combine(NexmarkDirectory, "bin", Configuration, "net10.0", "Nexmark");

    private static string FindRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Compiled.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository: no Compiled.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary directory, deleted with everything in it when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "compiled-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS cleans the temp directory eventually.
        }
    }
}

/// <summary>
/// The word count worked out independently of the code under test: split on '\n', drop one '\r' before it,
/// split on ' ', drop empty words. Words are kept as Latin-1 strings, a one-to-one map of bytes to chars.
/// </summary>
internal static class Reference
{
    public static Dictionary<string, long> WordCounts(byte[] text)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        string all = Encoding.Latin1.GetString(text);
        foreach (string rawLine in all.Split('\n'))
        {
            string line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            foreach (string word in line.Split(' '))
            {
                if (word.Length > 0)
                {
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>Random text with the awkward cases: CRLF, empty lines, runs of spaces, tabs inside words, UTF-8, no final newline.</summary>
    public static byte[] RandomText(int seed, int lines)
    {
        string[] vocabulary = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "café", "naïve", "日本語", "a,b", "(x)", "tab\tbed", "ünïcödé", "42"];
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int line = 0; line < lines; line++)
        {
            int words = random.Next(0, 12);
            for (int word = 0; word < words; word++)
            {
                text.Append(' ', random.Next(0, 3) == 0 ? random.Next(1, 4) : word == 0 ? 0 : 1);
                text.Append(vocabulary[(int)Math.Min(vocabulary.Length - 1, Math.Abs(random.NextDouble() * random.NextDouble()) * vocabulary.Length)]);
            }

            if (line < lines - 1)
            {
                text.Append(random.Next(4) == 0 ? "\r\n" : "\n");
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

/// <summary>Reads what the file sink wrote: "(word,count)" lines in files named prefix-&lt;ms&gt;.txt.</summary>
internal static class FileSinkOutput
{
    public static SortedDictionary<long, Dictionary<string, long>> Batches(string directory, string prefix)
    {
        var batches = new SortedDictionary<long, Dictionary<string, long>>();
        foreach (string file in Directory.GetFiles(directory, prefix + "-*.txt"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            long time = long.Parse(name[(prefix.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            batches[time] = ParsePairs(System.IO.File.ReadAllBytes(file));
        }

        return batches;
    }

    public static Dictionary<string, long> Sum(IEnumerable<Dictionary<string, long>> batches)
    {
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Dictionary<string, long> batch in batches)
        {
            foreach ((string word, long count) in batch)
            {
                total[word] = total.GetValueOrDefault(word) + count;
            }
        }

        return total;
    }

    public static Dictionary<string, long> ParsePairs(byte[] content)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in Encoding.Latin1.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "(word,count)": the word may hold commas and parentheses, the count cannot.
            Assert.StartsWith("(", line, StringComparison.Ordinal);
            Assert.EndsWith(")", line, StringComparison.Ordinal);
            int comma = line.LastIndexOf(',');
            string word = line[1..comma];
            Assert.True(counts.TryAdd(word, long.Parse(line[(comma + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)), $"'{word}' appears twice in one batch");
        }

        return counts;
    }
}

/// <summary>Runs a program to its end, capturing what it prints.</summary>
internal static class ChildProcess
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string file, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null, byte[]? input = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        if (input is not null)
        {
            // Written in pieces and then closed, as a shell pipe would deliver it.
            for (int offset = 0; offset < input.Length; offset += 4096)
            {
                await process.StandardInput.BaseStream.WriteAsync(input.AsMemory(offset, Math.Min(4096, input.Length - offset)));
            }

            process.StandardInput.Close();
        }

        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time; it printed:\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}

/// <summary>Waits on a running pipeline.</summary>
internal static class RunningPipeline
{
    /// <summary>How long a test waits for a pipeline before it fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Polls a condition, failing early if the run itself ended (with its exception), or after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Task running)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (running.IsCompleted)
            {
                await running;
                Assert.Fail("The pipeline stopped before the condition held.");
            }

            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the pipeline.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>
/// One build of the repository's projects at a time across the test processes that run in parallel: a test that
/// publishes a sample, packs the runtime or runs a sample's script (which builds it) writes the runtime's
/// <c>bin</c> and <c>obj</c> directories (its <c>Compiled.deps.json</c> among them), which two builds at once fight over.
/// </summary>
internal static class BuildLock
{
    /// <summary>Waits (up to 20 minutes) until no other test process builds, and holds the lock until disposed.</summary>
    public static async Task<IDisposable> AcquireAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), "compiled-tests-publish.lock");
        DateTime giveUp = DateTime.UtcNow.AddMinutes(20);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < giveUp)
            {
                await Task.Delay(200);
            }
        }
    }
}

/// <summary>
/// Whether a Release build with CompiledReadyToRun precompiles the fused loops on this machine: Linux x64 with the
/// instruction sets of x86-64-v3 (AVX2 and those beside it), which the build reads from /proc/cpuinfo (src/Compiled/build/Compiled.targets);
/// and which it names.
/// </summary>
internal static class ReadyToRunMachine
{
    public static bool PrecompilesLoops => InstructionSet is not null;

    /// <summary>
    /// The instruction sets the build names for this machine (the composite image's, and a Native AOT publish's with
    /// CompiledAotForBuildMachine): x86-64-v4 with AVX-512, x86-64-v3 with AVX2; null elsewhere.
    /// </summary>
    public static string? InstructionSet { get; } = Level();

    private static string? Level()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64
            || File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal)) is not { } line)
        {
            return null;
        }

        string[] flags = line.Split(' ', ':', '\t');
        return new[] { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" }.All(flags.Contains) ? "x86-64-v4"
            : new[] { "avx2", "bmi2", "fma", "movbe" }.All(flags.Contains) ? "x86-64-v3"
            : null;
    }
}
