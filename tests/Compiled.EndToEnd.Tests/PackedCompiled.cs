using System.Globalization;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The Compiled package packed once into a local feed, and projects of a user's that take it: the package tests share
/// one pack (a pack builds the runtime and the generator, the longest part of a test).
/// </summary>
public sealed class PackedCompiled : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    /// <summary>The folder the package is in, a NuGet source.</summary>
    public string Feed => Path.Combine(_temp.Path, "feed");

    /// <summary>A version of its own, so that no package cached by an earlier run stands in for this build.</summary>
    public string Version { get; } = "0.0.0-test." + Guid.NewGuid().ToString("N")[..8];

    public async ValueTask InitializeAsync()
    {
        using IDisposable building = await BuildLock.AcquireAsync();
        var pack = await ChildProcess.RunAsync("dotnet",
            ["pack", Path.Combine(Repo.Root, "src", "Compiled", "Compiled.csproj"), "-c", "Release", "-o", Feed, "-p:Version=" + Version, "-nologo"],
            Repo.Root, TimeSpan.FromMinutes(10));
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack.Output}\n{pack.Error}");

        // The repository's Directory.Build.props must not reach the projects below: they stand for a user's.
        File.WriteAllText(Path.Combine(_temp.Path, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_temp.Path, "Directory.Packages.props"), "<Project />");
    }

    /// <summary>
    /// A project in its own folder, as a user writes it: a nuget.config naming the feed, one package reference, the
    /// given properties, and a pipeline that counts standard input's non-empty lines by their length.
    /// </summary>
    public string CreateApp(string name, string properties = "")
    {
        string app = Path.Combine(_temp.Path, name);
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
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
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Compiled" Version="{Version}" />
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
        return app;
    }

    /// <summary>The input the apps are given, and what they must print for it: lines of 2, 3 and 4 bytes.</summary>
    public static byte[] Input => "ab\n\nabc\nxy\nabcd\n"u8.ToArray();

    /// <summary>Checks an app's standard output for <see cref="Input"/>.</summary>
    public static void AssertLengths(string output)
    {
        string[] lines = output.Split('\n');
        Assert.Equal("-------------------------------------------", lines[0]);

        // The lines by length, summed over the batches: on a busy machine the first batch may end before the input is read.
        var counts = new SortedDictionary<int, long>();
        foreach (string line in lines.Where(l => l.StartsWith('(')))
        {
            string[] pair = line.Trim('(', ')').Split(',');
            int length = int.Parse(pair[0], CultureInfo.InvariantCulture);
            counts[length] = counts.GetValueOrDefault(length) + long.Parse(pair[1], CultureInfo.InvariantCulture);
        }

        Assert.Equal(new SortedDictionary<int, long> { [2] = 2, [3] = 1, [4] = 1 }, counts);
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
