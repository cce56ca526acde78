namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>[EventTime]'s IdleTimeout: a value that is not a duration is refused at build time (CMP0032), at the value.</summary>
public class IdleTimeoutDiagnosticTests
{
    private const string Usings = "using Compiled;\n";

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("30 seconds")]
    public void CMP0032_IdleTimeoutNotADuration(string idle) => DiagnosticVerifier.Verify(Usings + $$"""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Time, int User)> Input();
            [EventTime(IdleTimeout = [|"{{idle}}"|])] public static long At((long Time, int User) click) => click.Time;
            [Sink] public static partial void Output((long Time, int User) click);
        }
        """,
        "CMP0032",
        $"Stage 'At' has IdleTimeout '{idle}', which is not a duration; write a number and a unit (ms, s, m or h), e.g. 30s, or 0 for a source that is never idle");
}
