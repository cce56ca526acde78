using System.Globalization;
using System.Text;

namespace Compiled.EndToEnd.Tests;

/// <summary>A user's project takes one package reference and gets the runtime and the generator.</summary>
public class PackageTests
{
    [Fact]
    public async Task Package_OneReference_CompilesAndRunsAPipeline()
    {
        using var temp = new TempDirectory();
        string feed = Path.Combine(temp.Path, "feed");
        using IDisposable building = await BuildLock.AcquireAsync();

        // A version of its own, so that no package cached by an earlier run stands in for this build.
        string version = "0.0.0-test." + Guid.NewGuid().ToString("N")[..8];
        var pack = await ChildProcess.RunAsync("dotnet",
            ["pack", Path.Combine(Repo.Root, "src", "Compiled", "Compiled.csproj"), "-c", "Release", "-o", feed, "-p:Version=" + version, "-nologo"],
            Repo.Root, TimeSpan.FromMinutes(10));
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack.Output}\n{pack.Error}");

        string app = Path.Combine(temp.Path, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Compiled" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Compiled;

            return await Lengths.RunAsync(args);

            [Pipeline(BatchInterval = "1s")]
            static partial class Lengths
            {
                [Source(Default = "stdin:")]
                public static partial Lines Input();

                [Filter]
                public static bool NotEmpty(ReadOnlySpan<byte> line) => !line.IsEmpty;

                [CountByValue]
                public static int Length(ReadOnlySpan<byte> line) => line.Length;

                [Sink(Default = "console")]
                public static partial void Output(int length, long lines);
            }
            """);

        // The repository's Directory.Build.props must not reach this project: it stands for a user's.
        File.WriteAllText(Path.Combine(temp.Path, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(temp.Path, "Directory.Packages.props"), "<Project />");

        var run = await ChildProcess.RunAsync("dotnet", ["run", "--project", app, "--", "--log-level", "warning"], app, TimeSpan.FromMinutes(10),
            input: Encoding.ASCII.GetBytes("ab\n\nabc\nxy\nabcd\n"));
        Assert.True(run.ExitCode == 0, $"dotnet run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        string[] lines = run.Output.Split('\n');
        Assert.Equal("-------------------------------------------", lines[0]);

        // The lines by length, summed over the batches: on a busy machine the first batch may end before the input is read.
        var counts = new SortedDictionary<int, long>();
        foreach (string line in lines.Where(l => l.StartsWith('(')))
        {
            string[] pair = line.Trim('(', ')').Split(',');
            counts[int.Parse(pair[0], CultureInfo.InvariantCulture)] = counts.GetValueOrDefault(int.Parse(pair[0], CultureInfo.InvariantCulture)) + long.Parse(pair[1], CultureInfo.InvariantCulture);
        }

        Assert.Equal(new SortedDictionary<int, long> { [2] = 2, [3] = 1, [4] = 1 }, counts);
    }
}
