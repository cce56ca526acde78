namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The sample publishes as a Native AOT binary without warnings, for this machine's instruction sets, and the binary
/// gives the same counts.
/// </summary>
public class NativeAotTests
{
    [Fact]
    public async Task WordCount_NativeAot_PublishesWithoutWarningsAndCountsCorrectly()
    {
        using var temp = new TempDirectory();
        string publish = Path.Combine(temp.Path, "publish");
        using IDisposable publishing = await BuildLock.AcquireAsync();
        var (exitCode, output, error) = await ChildProcess.RunAsync(
            "dotnet",
            ["publish", Path.Combine(Repo.WordCountDirectory, "WordCount.csproj"), "-c", "Release", "-r", "linux-x64", "-o", publish, "-nologo"],
            Repo.Root,
            TimeSpan.FromMinutes(10));

        Assert.True(exitCode == 0, $"dotnet publish failed ({exitCode}):\n{output}\n{error}");
        string[] warnings = (output + error).Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(warnings.Length == 0, "dotnet publish warned:\n" + string.Join('\n', warnings));

        // The sample asks for this machine's instruction sets (CompiledAotForBuildMachine): the compiler was given them.
        string arguments = File.ReadAllText(Path.Combine(Repo.WordCountDirectory, "obj", "Release", "net10.0", "linux-x64", "native", "WordCount.ilc.rsp"));
        if (ReadyToRunMachine.InstructionSet is { } instructionSet)
        {
            Assert.Contains("--instruction-set:" + instructionSet, arguments, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("--instruction-set:", arguments, StringComparison.Ordinal);
        }

        string binary = Path.Combine(publish, "WordCount");
        Assert.True(File.Exists(binary), "no native binary at " + binary);
        Assert.False(File.Exists(Path.Combine(publish, "WordCount.dll")), "the publish output holds IL, not a native binary");

        var run = await ChildProcess.RunAsync(binary, ["--sink", $"file://{temp.Path}/out/counts?suffix=txt"], temp.Path);
        Assert.True(run.ExitCode == 0, $"the native binary exited with {run.ExitCode}:\n{run.Error}");
        var counts = FileSinkOutput.Sum(FileSinkOutput.Batches(Path.Combine(temp.Path, "out"), "counts").Values);
        Assert.Equal(Reference.WordCounts(File.ReadAllBytes(Repo.BundledBook)), counts);
    }
}
