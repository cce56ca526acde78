namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// [UpdateStateByKey(EventTime = true)] gives the function the watermark in place of the batch time: a function that takes
/// no time, and a stage with no [EventTime] above it, are refused at build time (CMP0032), at the argument.
/// </summary>
public class StateEventTimeDiagnosticTests
{
    private const string Usings = "using Compiled;\nusing System;\n";

    [Fact]
    public void CMP0032_EventTimeStateWhoseFunctionTakesNoTime() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Key, long Time)> Input();
            [EventTime(Lateness = "0")] public static long At((long Key, long Time) r) => r.Time;
            [UpdateStateByKey(EventTime = [|true|])] public static long? Latest(ReadOnlySpan<long> times, long? latest) => latest;
            [Sink] public static partial void Output(long key, long latest);
        }
        """,
        "CMP0032",
        "Stage 'Latest' has EventTime = true, but its function takes no time to give the watermark to; take it first, with the key: static S? Latest(long watermark, long key, ReadOnlySpan<long> values, S? state)");

    [Fact]
    public void CMP0032_EventTimeStateWithNoEventTimeAbove() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Key, long Time)> Input();
            [UpdateStateByKey(EventTime = [|true|])] public static long? Latest(long watermark, long key, ReadOnlySpan<long> times, long? latest) => latest;
            [Sink] public static partial void Output(long key, long latest);
        }
        """,
        "CMP0032",
        "Stage 'Latest' has EventTime = true, but no [EventTime] stage above it gives a watermark; declare an [EventTime] stage above it, or remove EventTime = true to be given the batch time");
}
