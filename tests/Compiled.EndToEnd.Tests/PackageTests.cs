using System.Reflection.PortableExecutable;

namespace Compiled.EndToEnd.Tests;

/// <summary>A user's project takes one package reference and gets the runtime and the generator.</summary>
public class PackageTests(PackedCompiled package) : IClassFixture<PackedCompiled>
{
    [Fact]
    public async Task Package_OneReference_CompilesAndRunsAPipeline()
    {
        string app = package.CreateApp("app");

        var run = await ChildProcess.RunAsync("dotnet", ["run", "--project", app, "--", "--log-level", "warning"], app, TimeSpan.FromMinutes(10),
            input: PackedCompiled.Input);
        Assert.True(run.ExitCode == 0, $"dotnet run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        PackedCompiled.AssertLengths(run.Output);
    }

    /// <summary>
    /// One property gives a package user's Release build ReadyToRun code (README, "JIT or Native AOT"): the project's
    /// own restore knows nothing of it, and a Debug build stays as it was.
    /// </summary>
    [Fact]
    public async Task Package_CompiledReadyToRun_ReleaseBuildCarriesReadyToRunCode()
    {
        string app = package.CreateApp("app-readytorun", "<CompiledReadyToRun>true</CompiledReadyToRun>");

        var restore = await ChildProcess.RunAsync("dotnet", ["restore", "-nologo"], app, TimeSpan.FromMinutes(10));
        Assert.True(restore.ExitCode == 0, $"dotnet restore failed:\n{restore.Output}\n{restore.Error}");
        var release = await ChildProcess.RunAsync("dotnet", ["build", "-c", "Release", "--no-restore", "-nologo"], app, TimeSpan.FromMinutes(10));
        Assert.True(release.ExitCode == 0, $"dotnet build -c Release failed:\n{release.Output}\n{release.Error}");

        string releaseOutput = Path.Combine(app, "bin", "Release", "net10.0");
        Assert.True(HasReadyToRunCode(Path.Combine(releaseOutput, "App.dll")), "App.dll of the Release build has no ReadyToRun code");
        Assert.True(HasReadyToRunCode(Path.Combine(releaseOutput, "Compiled.dll")), "Compiled.dll of the Release build has no ReadyToRun code");
        Assert.True(HasReadyToRunCode(Path.Combine(releaseOutput, "System.CommandLine.dll")), "System.CommandLine.dll of the Release build has no ReadyToRun code");
        // On a machine whose instruction sets the build reads, one composite image that holds the fused loops too.
        Assert.Equal(ReadyToRunMachine.PrecompilesLoops, File.Exists(Path.Combine(releaseOutput, "App.r2r.dll")));

        var run = await ChildProcess.RunAsync("dotnet", [Path.Combine(releaseOutput, "App.dll"), "--log-level", "warning"], app, TimeSpan.FromMinutes(2),
            input: PackedCompiled.Input);
        Assert.True(run.ExitCode == 0, $"the Release build's App.dll failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        PackedCompiled.AssertLengths(run.Output);

        var debug = await ChildProcess.RunAsync("dotnet", ["build", "--no-restore", "-nologo"], app, TimeSpan.FromMinutes(10));
        Assert.True(debug.ExitCode == 0, $"dotnet build failed:\n{debug.Output}\n{debug.Error}");
        string debugOutput = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.False(HasReadyToRunCode(Path.Combine(debugOutput, "App.dll")), "App.dll of the Debug build has ReadyToRun code");
        Assert.False(HasReadyToRunCode(Path.Combine(debugOutput, "Compiled.dll")), "Compiled.dll of the Debug build has ReadyToRun code");
    }

    // A ReadyToRun image keeps its IL and adds precompiled code, found through the CLI header's managed native header.
    private static bool HasReadyToRunCode(string assembly)
    {
        using var reader = new PEReader(File.OpenRead(assembly));
        return reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }
}
