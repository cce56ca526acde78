using Compiled.Benchmarks.Inlining;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The word count's fused loop, as the JIT compiles it (the sample's executable, not Native AOT), leaves no call the JIT
/// chose not to inline: read from the runtime's own inlining events (through benchmarks/Compiled.Benchmarks.Inlining's
/// reader, which lists the same for any pipeline). A call may stay a call only by the code's own choice (a method that
/// throws, one marked NoInlining, a virtual call) or because the method is larger than the JIT ever inlines; a call the
/// JIT judged unprofitable, or left for want of locals or budget, costs a call on every line or word (the framer's
/// LineEnds constructor, RecordText.Written and the key table's IsLargerThanCache each did once).
/// </summary>
public class FusedLoopInliningTests
{
    [Fact]
    public async Task WordCount_JitBuild_FusedLoop_LeavesNoCallTheJitChoseNotToInline()
    {
        using var directory = new TempDirectory();
        string input = directory.File("words.txt");
        await File.WriteAllTextAsync(input, "the quick brown fox\njumps over the lazy dog\na-word-longer-than-sixteen-bytes the\n", TestContext.Current.CancellationToken);
        string trace = directory.File("inlining.nettrace");

        var (exitCode, output, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable,
            ["--source", "file://" + input, "--sink", "console", "--batch-interval", "10m", "--log-level", "warning"],
            Repo.WordCountDirectory,
            environment: InliningEvents.Environment(trace));
        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Contains("(the,3)", output, StringComparison.Ordinal);

        var (failed, inlined) = InliningEvents.Read(trace);
        static bool InLoop(string caller) => caller.EndsWith(".Frame", StringComparison.Ordinal);

        // The trace holds the loop's compile: the framer inlined the generated consumer into it.
        Assert.Contains(inlined, call => InLoop(call.Caller) && call.Callee.EndsWith(".OnRecord", StringComparison.Ordinal));
        string[] refused = failed.Where(f => InLoop(f.Caller) && !f.IsByDesign && !f.IsOverSizeLimit).Select(f => $"{f.Callee}: {f.Reason}").ToArray();
        Assert.True(
            refused.Length == 0,
            "The JIT left these calls in the word count's fused loop (mark them AggressiveInlining, or NoInlining if they are off the " +
            "common path):\n" + string.Join('\n', refused));
    }
}
