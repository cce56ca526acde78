using Microsoft.Diagnostics.Tracing;

namespace Compiled.Benchmarks.Inlining;

/// <summary>One call the JIT did not inline: in which method it compiled, which method was called, and why.</summary>
/// <param name="Caller">The method being compiled (its type and name).</param>
/// <param name="Callee">The method it called (its type and name).</param>
/// <param name="Reason">The JIT's reason, as the event gives it ("unprofitable inline", "too many locals", ...).</param>
internal readonly record struct FailedInline(string Caller, string Callee, string Reason)
{
    // Reasons that are the code's own choice, not the JIT's judgement: a method that throws, one marked NoInlining, a
    // virtual or interface call. Every other reason is a call the JIT could have inlined and did not.
    private static readonly string[] ByDesign = ["does not return", "noinline per IL", "target not direct"];

    /// <summary>Whether the callee is larger than the JIT ever inlines: a hard limit, not a judgement of profit.</summary>
    public bool IsOverSizeLimit => Reason.StartsWith("too many il bytes", StringComparison.Ordinal);

    /// <summary>Whether the call is left by the code's own choice rather than by the JIT's heuristics.</summary>
    public bool IsByDesign
    {
        get
        {
            string reason = Reason;
            return ByDesign.Any(known => reason.StartsWith(known, StringComparison.Ordinal));
        }
    }
}

/// <summary>
/// Reads the JIT's inlining decisions from a trace of the runtime's inlining events. Shared by this tool and the test that
/// holds the word count's loop to no call the JIT chose not to inline (FusedLoopInliningTests, which links this file).
/// </summary>
internal static class InliningEvents
{
    /// <summary>
    /// The environment that makes a .NET process write the events this reads into <paramref name="tracePath"/>: the
    /// runtime's provider with its JIT (0x10) and JIT tracing (0x1000) keywords, at the verbose level.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string tracePath) => new Dictionary<string, string>
    {
        ["DOTNET_EnableEventPipe"] = "1",
        ["DOTNET_EventPipeOutputPath"] = tracePath,
        ["DOTNET_EventPipeConfig"] = "Microsoft-Windows-DotNETRuntime:0x1010:5",
    };

    /// <summary>
    /// Every call not inlined in <paramref name="tracePath"/>, once each (a call site the JIT met twice is listed once), and
    /// every call inlined, as (caller, callee): what shows that the trace holds a method's compile at all.
    /// </summary>
    public static (IReadOnlyList<FailedInline> Failed, IReadOnlyList<(string Caller, string Callee)> Inlined) Read(string tracePath)
    {
        var failed = new HashSet<FailedInline>();
        var inlined = new HashSet<(string, string)>();
        using var source = new EventPipeEventSource(tracePath);
        source.Clr.MethodInliningFailed += e => failed.Add(new FailedInline(
            $"{e.MethodBeingCompiledNamespace}.{e.MethodBeingCompiledName}", $"{e.InlineeNamespace}.{e.InlineeName}", e.FailReason));
        source.Clr.MethodInliningSucceeded += e => inlined.Add(
            ($"{e.MethodBeingCompiledNamespace}.{e.MethodBeingCompiledName}", $"{e.InlineeNamespace}.{e.InlineeName}"));
        source.Process();
        return ([.. failed.OrderBy(f => f.Caller, StringComparer.Ordinal).ThenBy(f => f.Callee, StringComparer.Ordinal)], [.. inlined]);
    }
}
