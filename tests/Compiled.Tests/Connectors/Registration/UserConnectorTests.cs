using Compiled.Connectors;
using Compiled.Hosting;

namespace Compiled.Tests.Connectors.Registration;

/// <summary>
/// A connector a user writes (<c>memory:</c>, declared in this test project) works as a built-in one does: by a pipeline's
/// Default URI, by --source and --sink, and listed among the known schemes when a URI's scheme is unknown.
/// </summary>
public class UserConnectorTests
{
    private const string Lines = "# a comment\nto be\n# another\nor not to be\n";

    [Fact]
    public async Task UserConnector_ByDefaultUri_ReadsAndWritesEveryRecord()
    {
        MemoryStore.Put("lines", Lines);

        (int exitCode, string error) = await RunAsync([]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["to be", "or not to be"], MemoryStore.Committed("kept"));
    }

    [Fact]
    public async Task UserConnector_BySourceAndSinkOptions_ReadsAndWritesEveryRecord()
    {
        MemoryStore.Put("by-option-in", Lines);

        // ?batches=true is the memory sink's own option: the factory's sink took it, so the registry accepts it.
        (int exitCode, string error) = await RunAsync(["--source", "memory:by-option-in", "--sink", "memory:by-option-out?batches=true"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["to be", "or not to be"], MemoryStore.Committed("by-option-out").Where(r => r != "batch"));
        Assert.Contains("batch", MemoryStore.Committed("by-option-out"));
    }

    [Fact]
    public async Task UserConnector_AnOptionItsFactoryDidNotTake_IsAUsageError()
    {
        MemoryStore.Put("misspelt-in", Lines);

        (int exitCode, string error) = await RunAsync(["--source", "memory:misspelt-in", "--sink", "memory:misspelt-out?batch=true"]);

        Assert.Equal(PipelineProgram.ExitUsage, exitCode);
        Assert.Contains("batch", error, StringComparison.Ordinal);
        Assert.Contains("memory:misspelt-out?batch=true", error, StringComparison.Ordinal);
        Assert.Empty(MemoryStore.Committed("misspelt-out"));
    }

    [Fact]
    public async Task UnknownScheme_OnTheCommandLine_ListsTheUserConnector()
    {
        MemoryStore.Put("unknown-sink-in", Lines);

        (int exitCode, string error) = await RunAsync(["--source", "memory:unknown-sink-in", "--sink", "memroy:kept"]);

        Assert.Equal(PipelineProgram.ExitUsage, exitCode);
        string line = error.TrimEnd('\r', '\n');
        Assert.Equal(
            "error: sink URI 'memroy:kept' has an unknown scheme 'memroy'; use one of: console or console?num=20, file:///out/prefix?suffix=txt, memory:NAME?batches=true, or reference the connector package that declares 'memroy'. Run with --help to see the options.",
            line);

        // README "Writing a connector" shows this line as it is printed.
        Assert.Contains("\n" + line + "\n", File.ReadAllText(ReadmePath()), StringComparison.Ordinal);
    }

    [Fact]
    public void KnownSchemes_ListTheUserConnectorsUsage_ForSourcesAndSinksApart()
    {
        // What --help prints after "Source URIs:" and "Sink URIs:", and what an unknown scheme's message lists.
        Assert.Equal("tcp://host:port, file:///path/to/file.txt, file:///logs/*.log or file:///incoming/, stdin:, memory:NAME, memparts:NAME?partitions=K, memq:NAME?follow=true&batch=N", ConnectorRegistry.Usage("source"));
        Assert.Equal("console or console?num=20, file:///out/prefix?suffix=txt, memory:NAME?batches=true", ConnectorRegistry.Usage("sink"));
    }

    // Runs MemoryPipeline's command line with logs off; returns the exit code and what it wrote to standard error.
    private static async Task<(int ExitCode, string Error)> RunAsync(string[] arguments)
    {
        var error = new StringWriter();
        int exitCode = await PipelineProgram.RunAsync(MemoryPipeline.Definition, [.. arguments, "--log-level", "none"], error, null);
        return (exitCode, error.ToString());
    }

    private static string ReadmePath()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Compiled.sln")))
            {
                return Path.Combine(directory, "README.md");
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository: no Compiled.sln above " + AppContext.BaseDirectory);
    }
}
