using System.Text.Json;
using Compiled.Hosting;
using Compiled.Tests.Connectors;

namespace Compiled.Tests.Records.DeadLetters;

/// <summary>
/// A source URI's <c>onBadRecord</c> option: the policy of that source's records that do not parse, whatever the
/// pipeline declares (a <c>[Record]</c>'s, a <c>[Source(OnBadRecord = ...)]</c>, or none), so a job can be rerun
/// strict, or past a bad day's input, without a rebuild.
/// </summary>
public class SourcePolicyUriTests
{
    private const string Orders = "1,100\n2,250\n1,x7\n3,5\n2\n1,1\n";

    [Fact]
    public async Task ATypedSourceDeclaringNoPolicy_WithOnBadRecordFail_ExitsOneNamingTheLine()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("orders.csv", Orders);
        var error = new StringWriter();
        int exit = await Run(PlainCentsPerCustomer.Definition, $"file://{input}?onBadRecord=fail", temp, error);

        Assert.Equal(PipelineProgram.ExitFailed, exit);
        Assert.Contains($"Source Orders read a bad record at byte 12 of {input}, field Item2: NumberInvalid: 'x7' cannot be read as field 2 of 2. Fix the input, or give the source URI onBadRecord=skip", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATypedSourceDeclaringNoPolicy_WithOnBadRecordDeadLetter_WritesEachBadLine()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("orders.csv", Orders);
        var error = new StringWriter();
        int exit = await Run(PlainCentsPerCustomer.Definition, $"file://{input}?onBadRecord=dead-letter", temp, error, "--dead-letters", temp.Combine("dead.jsonl"));

        Assert.True(exit == PipelineProgram.ExitOk, error.ToString());
        Assert.Equal(["(1,101)", "(2,250)", "(3,5)"], ReadOutput(temp).Order(StringComparer.Ordinal));
        string[] letters = File.ReadAllLines(temp.Combine("dead.jsonl"));
        Assert.Equal([("1,x7", 12L, "NumberInvalid"), ("2", 21L, "WrongFieldCount")], letters.Select(Letter));
    }

    [Fact]
    public async Task ASourceDeclaringDeadLetter_WithOnBadRecordSkip_CountsAndWritesNoDeadLetter()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("orders.csv", Orders);
        var error = new StringWriter();
        int exit = await Run(CentsPerCustomer.Definition, $"file://{input}?onBadRecord=skip", temp, error, "--dead-letters", temp.Combine("dead.jsonl"));

        Assert.True(exit == PipelineProgram.ExitOk, error.ToString());
        Assert.Equal(["(1,101)", "(2,250)", "(3,5)"], ReadOutput(temp).Order(StringComparer.Ordinal));
        Assert.True(!File.Exists(temp.Combine("dead.jsonl")) || File.ReadAllText(temp.Combine("dead.jsonl")).Length == 0, "A skipped line was written as a dead letter.");
    }

    [Fact]
    public async Task ARecordSourceDeclaringSkip_WithOnBadRecordFail_ExitsOne()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("readings.csv", "sensor,value,scale\nnorth,5,1\nsouth,5x,1\n");
        var error = new StringWriter();
        int exit = await Run(SkippedPerSensor.Definition, $"file://{input}?onBadRecord=fail", temp, error);

        Assert.Equal(PipelineProgram.ExitFailed, exit);
        Assert.Contains("line 3", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("NumberInvalid", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASourceOfLinesAsBytes_WithOnBadRecord_IsAUsageErrorSayingWhy()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("lines.txt", "a\nb\n");
        var error = new StringWriter();
        int exit = await Run(RawLines.Definition, $"file://{input}?onBadRecord=fail", temp, error);

        Assert.Equal(PipelineProgram.ExitUsage, exit);
        Assert.Contains("source 'Input' hands each line on as bytes, so none is refused and option onBadRecord has nothing to do; remove it, or declare the source as Lines<T>", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnBadRecord_NotAPolicy_IsAUsageErrorListingThePolicies()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("orders.csv", Orders);
        var error = new StringWriter();
        int exit = await Run(PlainCentsPerCustomer.Definition, $"file://{input}?onBadRecord=ignore", temp, error);

        Assert.Equal(PipelineProgram.ExitUsage, exit);
        Assert.Contains($"option 'onBadRecord=ignore' of source URI 'file://{input}?onBadRecord=ignore' is not a policy; write fail, skip or dead-letter", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<int> Run(PipelineDefinition pipeline, string source, TempDirectory temp, StringWriter error, params string[] more) =>
        PipelineProgram.RunAsync(
            pipeline,
            ["--source", source, "--sink", $"file://{temp.Path}/out/totals?suffix=txt", "--batch-interval", "1h", "--log-level", "none", .. more],
            error,
            configure: null);

    private static IEnumerable<string> ReadOutput(TempDirectory temp) =>
        Directory.GetFiles(Path.Combine(temp.Path, "out")).SelectMany(File.ReadAllLines);

    // A dead letter's raw record, byte offset in its file and reason (a typed source's lines are not numbered).
    private static (string Record, long Offset, string Reason) Letter(string json)
    {
        using JsonDocument letter = JsonDocument.Parse(json);
        JsonElement root = letter.RootElement;
        return (root.GetProperty("record").GetString()!, root.GetProperty("offset").GetInt64(), root.GetProperty("reason").GetString()!);
    }
}
