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

        // The loop as the JIT compiles it: the sample's Release build precompiles it (LoopsPrecompiled), so this run takes
        // a copy of the program's runtime options with that option off, and no precompiled code.
        string runtimeConfig = directory.File("WordCount.runtimeconfig.json");
        string options = await File.ReadAllTextAsync(Path.ChangeExtension(Repo.WordCountExecutable, ".runtimeconfig.json"), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(runtimeConfig, options.Replace("\"Compiled.LoopsPrecompiled\": true", "\"Compiled.LoopsPrecompiled\": false", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var (exitCode, output, error) = await ChildProcess.RunAsync(
            "dotnet",
            ["exec", "--runtimeconfig", runtimeConfig, Repo.WordCountExecutable + ".dll",
             "--source", "file://" + input, "--sink", "console", "--batch-interval", "10m", "--log-level", "warning"],
            Repo.WordCountDirectory,
            environment: new Dictionary<string, string>(InliningEvents.Environment(trace)) { ["DOTNET_ReadyToRun"] = "0" });
        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Contains("(the,3)", output, StringComparison.Ordinal);

        var (failed, inlined) = InliningEvents.Read(trace);
        static bool InLoop(string caller) => caller.EndsWith(".FrameOptimized", StringComparison.Ordinal);

        // The trace holds the loop's compile: the framer inlined the generated consumer into it.
        Assert.Contains(inlined, call => InLoop(call.Caller) && call.Callee.EndsWith(".OnRecord", StringComparison.Ordinal));
        string[] refused = failed.Where(f => InLoop(f.Caller) && !f.IsByDesign && !f.IsOverSizeLimit).Select(f => $"{f.Callee}: {f.Reason}").ToArray();
        Assert.True(
            refused.Length == 0,
            "The JIT left these calls in the word count's fused loop (mark them AggressiveInlining, or NoInlining if they are off the " +
            "common path):\n" + string.Join('\n', refused));
    }

    /// <summary>
    /// The word count's Release build (CompiledReadyToRun) precompiles its fused loop on a machine whose instruction sets
    /// the build reads (Linux x64 with AVX2): one composite image of the program and Compiled.dll, and the runtime option
    /// that runs it. The JIT then compiles no loop at start-up, and the job counts as before.
    /// </summary>
    [Fact]
    public async Task WordCount_ReleaseBuild_FusedLoopIsPrecompiled()
    {
        Assert.SkipWhen(Repo.Configuration != "Release", "a Debug build carries no ReadyToRun code");
        bool expected = ReadyToRunMachine.PrecompilesLoops;
        string composite = Path.Combine(Path.GetDirectoryName(Repo.WordCountExecutable)!, "WordCount.r2r.dll");
        string options = await File.ReadAllTextAsync(Path.ChangeExtension(Repo.WordCountExecutable, ".runtimeconfig.json"), TestContext.Current.CancellationToken);
        Assert.Equal(expected, File.Exists(composite));
        Assert.Equal(expected, options.Contains("\"Compiled.LoopsPrecompiled\": true", StringComparison.Ordinal));
        Assert.SkipUnless(expected, "this machine is not Linux x64 with AVX2: the build precompiles each assembly on its own and the JIT compiles the loop");

        using var directory = new TempDirectory();
        string input = directory.File("words.txt");
        await File.WriteAllTextAsync(input, "the quick brown fox\njumps over the lazy dog\nthe end\n", TestContext.Current.CancellationToken);
        string compiled = directory.File("jit.txt");
        var (exitCode, output, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable,
            ["--source", "file://" + input, "--sink", "console", "--batch-interval", "10m", "--log-level", "warning"],
            Repo.WordCountDirectory,
            environment: new Dictionary<string, string> { ["DOTNET_JitStdOutFile"] = compiled, ["DOTNET_JitDisasmSummary"] = "1" });
        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Contains("(the,3)", output, StringComparison.Ordinal);

        // The JIT's list of what it compiled: some methods (generic code made of several assemblies), never the loop.
        string[] methods = await File.ReadAllLinesAsync(compiled, TestContext.Current.CancellationToken);
        Assert.Contains(methods, line => line.Contains("JIT compiled", StringComparison.Ordinal));
        Assert.DoesNotContain(methods, line => line.Contains("LineFramer:Frame", StringComparison.Ordinal));
    }
}
