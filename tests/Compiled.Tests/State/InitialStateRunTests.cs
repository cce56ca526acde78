using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.State;

/// <summary>A run starts its state stages from the pipeline's <c>InitialState</c> methods, as the test driver does.</summary>
public class InitialStateRunTests
{
    [Fact]
    public async Task ARun_StartsFromThePipelinesInitialState()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("payments.txt", "1,5\n2,20\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Payments"] = "file://" + input;
        options.SinkUris["Balances"] = $"file://{temp.Path}/balances/b?suffix=txt";
        options.SinkUris["Closed"] = $"file://{temp.Path}/closed/c?suffix=txt";
        await using var run = new PipelineRun(SeededState.Definition, options);
        await run.RunToEndAsync(clock);

        string first = Directory.GetFiles(Path.Combine(temp.Path, "balances")).Order(StringComparer.Ordinal).First();
        Assert.Equal("(1,105)\n(7,700)\n(2,20)\n", File.ReadAllText(first));
    }
}
