using System.Runtime.InteropServices;
using Compiled.Hosting;

namespace Compiled.Tests.Hosting;

/// <summary>The executable's exit codes for the signals it handles.</summary>
public class PipelineProgramTests
{
    [Theory]
    [InlineData(PosixSignal.SIGHUP, 129)]
    [InlineData(PosixSignal.SIGINT, 130)]
    [InlineData(PosixSignal.SIGTERM, 143)]
    public void ExitCodeOf_IsWhatAShellReportsForAProcessEndedByTheSignal(PosixSignal signal, int exitCode)
    {
        // 128 + the signal's POSIX number (1, 2, 15), not PosixSignal's own negative value.
        Assert.Equal(exitCode, PipelineProgram.ExitCodeOf(signal));
    }

    [Fact]
    public void ExitCodeOf_ASignalThePipelineDoesNotStopOn_SaysWhichItDoes()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PipelineProgram.ExitCodeOf(PosixSignal.SIGQUIT));
        Assert.Contains("SIGHUP, SIGINT or SIGTERM", error.Message, StringComparison.Ordinal);
    }
}
