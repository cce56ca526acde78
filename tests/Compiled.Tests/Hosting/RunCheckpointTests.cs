using Compiled.Batching;
using Compiled.Checkpoints;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Pipelines;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Hosting;

/// <summary>
/// A run with a checkpoint directory, as a user starts one twice: the second run resumes after the first one's last
/// batch, reading only what the first did not; a checkpoint it cannot resume from is refused before anything is read.
/// </summary>
public class RunCheckpointTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, 700, TimeSpan.Zero);

    private static PipelineRunOptions Options(TempDirectory temp, TimeProvider clock)
    {
        var options = new PipelineRunOptions { TimeProvider = clock, Checkpoint = temp.Combine("checkpoint") };
        options.SourceUris["Input"] = $"file://{temp.Path}/in/*.txt";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/counts?suffix=txt";
        return options;
    }

    private static void Input(TempDirectory temp, string name, string text)
    {
        Directory.CreateDirectory(temp.Combine("in"));
        File.WriteAllText(Path.Combine(temp.Combine("in"), name), text);
    }

    private static string[] Outputs(TempDirectory temp) =>
        Directory.GetFiles(temp.Combine("out")).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task SecondRun_ReadsOnlyTheFilesTheFirstDidNotFinish_AndLabelsItsBatchesAfterTheFirstRuns()
    {
        using var temp = new TempDirectory();
        Input(temp, "a.txt", "apple pear\napple\n");
        var clock = new FakeTimeProvider(Start);
        await using (var first = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock)))
        {
            await first.RunToEndAsync(clock);
        }

        string[] firstOutputs = Outputs(temp);
        Assert.Single(firstOutputs);
        Assert.Equal(["(apple,2)", "(pear,1)"], File.ReadAllLines(firstOutputs[0]).Order(StringComparer.Ordinal));

        // The second run starts at the same instant (a fresh clock): its batch comes after the checkpoint's, and it
        // reads only the file that arrived since.
        Input(temp, "b.txt", "fig apple\n");
        var again = new FakeTimeProvider(Start);
        var committed = new List<BatchProgress>();
        await using (var second = new PipelineRun(WordCountPipeline.Definition, Options(temp, again)))
        {
            second.BatchCommitted += committed.Add;
            await second.RunToEndAsync(again);
        }

        string[] outputs = Outputs(temp);
        Assert.Equal(2, outputs.Length);
        Assert.Equal(["(apple,1)", "(fig,1)"], File.ReadAllLines(outputs[1]).Order(StringComparer.Ordinal));
        long firstTime = long.Parse(Path.GetFileNameWithoutExtension(firstOutputs[0])["counts-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(firstTime + 1000, committed.Single().Time);
    }

    [Fact]
    public async Task Checkpoint_HoldsTheIntervalAndEachSourcesPosition()
    {
        using var temp = new TempDirectory();
        Input(temp, "a.txt", "x\n");
        var clock = new FakeTimeProvider(Start);
        await using (var run = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock)))
        {
            await run.RunToEndAsync(clock);
        }

        var directory = new CheckpointDirectory(temp.Combine("checkpoint"), WordCountPipeline.Definition.Name);
        Assert.True(directory.TryLoadLatest(out CheckpointReader? reader));
        using (reader)
        {
            SavedRun saved = JobCheckpoint.Read(reader!, WordCountPipeline.Definition.StateLayout, "checkpoint");
            Assert.Equal(1000, saved.IntervalMilliseconds);
            SavedSource source = Assert.Single(saved.Sources);
            Assert.Equal("Input", source.Name);
            Assert.NotNull(source.Position);
            Assert.EndsWith("in/*.txt: 1 file done", source.Position!.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CheckpointOfAnotherStateLayout_IsRefusedBeforeAnythingIsRead_NamingWhatChanged()
    {
        using var temp = new TempDirectory();
        Input(temp, "a.txt", "x\n");

        // What an older version of the pipeline, with a running total named Totals, left in the directory.
        var older = new StateLayout(TimeSpan.FromSeconds(1), [new StateLayoutStage("Totals", "UpdateStateByKey", "System.ReadOnlySpan<byte>", "long", "", 0, 0, "")]);
        using (var writer = new CheckpointWriter())
        {
            writer.Begin(new CheckpointHeader(WordCountPipeline.Definition.Name, older.Fingerprint, 1_772_366_401, 1_772_366_401_000));
            var layout = writer.BeginSection(JobCheckpoint.LayoutSection);
            layout.WriteString(older.ToText());
            layout.End();
            writer.Complete();
            new CheckpointDirectory(temp.Combine("checkpoint"), WordCountPipeline.Definition.Name).Write(writer);
        }

        var e = Assert.Throws<CheckpointRefusedException>(() => new PipelineRun(WordCountPipeline.Definition, Options(temp, new FakeTimeProvider(Start))));
        Assert.Contains("stage 'Totals' (UpdateStateByKey) keeps state in the checkpoint but is no longer in the pipeline", e.Message, StringComparison.Ordinal);
        Assert.Contains("start with a new checkpoint directory", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public async Task TruncatedCheckpoint_IsRefusedNamingTheFile()
    {
        using var temp = new TempDirectory();
        Input(temp, "a.txt", "x\n");
        var clock = new FakeTimeProvider(Start);
        await using (var run = new PipelineRun(WordCountPipeline.Definition, Options(temp, clock)))
        {
            await run.RunToEndAsync(clock);
        }

        string file = Directory.GetFiles(temp.Combine("checkpoint")).Single();
        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 3)]);

        var e = Assert.Throws<CheckpointRefusedException>(() => new PipelineRun(WordCountPipeline.Definition, Options(temp, new FakeTimeProvider(Start))));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not end with the checkpoint footer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineWhoseStateCannotBeWritten_RefusesACheckpoint_ButRunsWithoutOne()
    {
        PipelineDefinition word = WordCountPipeline.Definition;
        var definition = new PipelineDefinition(
            word.Name, word.BatchInterval, word.Plan, word.Sources, word.Sinks, word.CreateJob,
            checkpointProblems: ["stage 'Totals' keeps state of type 'Session', which a checkpoint cannot write"]);
        using var temp = new TempDirectory();
        Input(temp, "a.txt", "x\n");
        var e = Assert.Throws<CheckpointRefusedException>(() => new PipelineRun(definition, Options(temp, new FakeTimeProvider(Start))));
        Assert.Equal("pipeline 'WordCountPipeline' cannot keep a checkpoint: stage 'Totals' keeps state of type 'Session', which a checkpoint cannot write", e.Message);

        PipelineRunOptions without = Options(temp, new FakeTimeProvider(Start));
        without.Checkpoint = null;
        _ = new PipelineRun(definition, without);
    }

    [Fact]
    public async Task CommandLine_RefusedCheckpoint_ExitsTwoWithTheMessage()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("in.txt"), "x\n");
        Directory.CreateDirectory(temp.Combine("checkpoint"));
        File.WriteAllBytes(temp.Combine("checkpoint/checkpoint-5"), [1, 2, 3]);
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(
            WordCountPipeline.Definition,
            ["--source", "file://" + temp.Combine("in.txt"), "--checkpoint", temp.Combine("checkpoint")],
            error,
            configure: null);
        Assert.Equal(PipelineProgram.ExitUsage, exit);
        Assert.StartsWith($"error: Checkpoint file '{temp.Combine("checkpoint/checkpoint-5")}'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLine_CheckpointWithoutADirectory_IsAUsageError()
    {
        var error = new StringWriter();
        int exit = await PipelineProgram.RunAsync(WordCountPipeline.Definition, ["--checkpoint"], error, configure: null);
        Assert.Equal(PipelineProgram.ExitUsage, exit);
        Assert.Contains("--checkpoint", error.ToString(), StringComparison.Ordinal);
    }
}
