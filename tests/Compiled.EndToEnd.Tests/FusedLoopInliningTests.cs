using Microsoft.Diagnostics.Tracing;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The word count's fused loop, as the JIT compiles it (the sample's executable, not Native AOT), leaves no call the JIT
/// chose not to inline: read from the runtime's own inlining events. A call may stay a call only by the code's own
/// choice (a method that throws, one marked NoInlining, a virtual call) or because the method is larger than the JIT
/// ever inlines; a call the JIT judged unprofitable, or left for want of locals or budget, costs a call on every line or
/// word (the framer's LineEnds constructor, RecordText.Written and the key table's IsLargerThanCache each did once).
/// benchmarks/Compiled.Benchmarks.Inlining lists the same for any pipeline.
/// </summary>
public class FusedLoopInliningTests
{
    // The JIT's reasons that are the code's choice or a hard limit, not a judgement of profit.
    private static readonly string[] Accepted = ["does not return", "noinline per IL", "target not direct", "too many il bytes"];

    [Fact]
    public async Task WordCount_JitBuild_FusedLoop_LeavesNoCallTheJitChoseNotToInline()
    {
        using var directory = new TempDirectory();
        string input = directory.File("words.txt");
        await File.WriteAllTextAsync(input, "the quick brown fox\njumps over the lazy dog\na-word-longer-than-sixteen-bytes the\n", TestContext.Current.CancellationToken);
        string trace = directory.File("inlining.nettrace");
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_EnableEventPipe"] = "1",
            ["DOTNET_EventPipeOutputPath"] = trace,
            ["DOTNET_EventPipeConfig"] = "Microsoft-Windows-DotNETRuntime:0x1010:5",
        };

        var (exitCode, output, error) = await ChildProcess.RunAsync(
            Repo.WordCountExecutable,
            ["--source", "file://" + input, "--sink", "console", "--batch-interval", "10m", "--log-level", "warning"],
            Repo.WordCountDirectory,
            environment: environment);
        Assert.True(exitCode == 0, $"exit code {exitCode}; standard error:\n{error}");
        Assert.Contains("(the,3)", output, StringComparison.Ordinal);

        var inlined = new List<string>();
        var refused = new List<string>();
        using (var source = new EventPipeEventSource(trace))
        {
            source.Clr.MethodInliningSucceeded += e =>
            {
                if (e.MethodBeingCompiledName == "Frame")
                {
                    inlined.Add($"{e.InlineeNamespace}.{e.InlineeName}");
                }
            };
            source.Clr.MethodInliningFailed += e =>
            {
                if (e.MethodBeingCompiledName == "Frame" && !Accepted.Any(reason => e.FailReason.StartsWith(reason, StringComparison.Ordinal)))
                {
                    refused.Add($"{e.InlineeNamespace}.{e.InlineeName}: {e.FailReason}");
                }
            };
            source.Process();
        }

        // The trace holds the loop's compile: the framer inlined the generated consumer into it.
        Assert.Contains(inlined, name => name.EndsWith(".OnRecord", StringComparison.Ordinal));
        Assert.True(
            refused.Count == 0,
            "The JIT left these calls in the word count's fused loop (mark them AggressiveInlining, or NoInlining if they are off the " +
            "common path):\n" + string.Join('\n', refused.Distinct()));
    }
}
