using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>
/// What the generator emits for checkpoints: the job's WriteState and ReadState, one section per stage that keeps state
/// across batches; the registration of each kept type that writes itself; the definition's checkpoint directory.
/// </summary>
public class CheckpointEmitTests
{
    private const string Usings = "using Compiled;\nusing Compiled.Checkpoints;\n";

    private const string Tally = """
        public record struct Tally(string Last, long Count) : ICheckpointValue<Tally>
        {
            public static void WriteTo(in Tally value, ref CheckpointWriter.Section section)
            {
                section.WriteString(value.Last);
                section.WriteUnmanaged(value.Count);
            }

            public static Tally ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString(), section.ReadUnmanaged<long>());
        }

        """;

    [Fact]
    public void KeptTypeThatWritesItself_IsRegisteredOnce_InTheJobsConstructor()
    {
        // Two stages keep Tally (one as a nullable's struct): one registration; the unmanaged keys and values none.
        string source = Generate(Usings + Tally + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(int User, long Clicks)> Clicks();
                [UpdateStateByKey] public static Tally? Total(ReadOnlySpan<long> values, Tally? state) => new Tally("x", values.Length);
                [Sink] public static partial void TotalOut(int user, Tally total);
                [Map(Input = nameof(Clicks))] public static (int User, Tally? Tally) Pair((int User, long Clicks) click) => (click.User, new Tally("y", 1));
                [ReduceByKeyAndWindow(Length = "2s")] public static Tally? Last(Tally? a, Tally? b) => b;
                [Sink] public static partial void LastOut(int user, Tally? last);
            }
            """);

        Assert.Equal(["global::Compiled.Checkpoints.CheckpointValues.Register<global::Tally>();"], Registrations(source));
        int constructor = source.IndexOf("public JobJob(global::Compiled.Hosting.JobContext context)", StringComparison.Ordinal);
        int registration = source.IndexOf("CheckpointValues.Register<", StringComparison.Ordinal);
        int nextMember = source.IndexOf("public override void BeginStream(", StringComparison.Ordinal);
        Assert.InRange(registration, constructor, nextMember);
    }

    [Fact]
    public void UnmanagedState_RegistersNothing()
    {
        string source = Generate(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(int User, long Clicks)> Clicks();
                [UpdateStateByKey] public static long? Total(ReadOnlySpan<long> values, long? state) => (state ?? 0) + values.Length;
                [Sink] public static partial void TotalOut(int user, long total);
            }
            """);

        Assert.Empty(Registrations(source));
        Assert.Contains("public override void WriteState(", source);
    }

    [Fact]
    public void WriteStateAndReadState_OneSectionPerStatefulStage_NamedForIt_InDeclarationOrder()
    {
        // The reduce of the batch keeps nothing across batches; the window and the state store do.
        string source = Generate(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
                [ReduceByKey] public static long PerBatch(long a, long b) => a + b;
                [Sink] public static partial void PerBatchOut(ReadOnlySpan<byte> word, long count);
                [ReduceByKeyAndWindow(Input = nameof(Pair), Length = "3s")] public static long Windowed(long a, long b) => a + b;
                [Sink] public static partial void WindowedOut(ReadOnlySpan<byte> word, long count);
                [UpdateStateByKey(Input = nameof(Pair))] public static long? Total(ReadOnlySpan<long> values, long? state) => (state ?? 0) + values.Length;
                [Sink] public static partial void TotalOut(ReadOnlySpan<byte> word, long total);
            }
            """);

        Assert.Equal(["BeginSection(\"state/Windowed\")", "BeginSection(\"state/Total\")"], Matches(source, @"BeginSection\(""[^""]*""\)"));
        Assert.Equal(["GetSection(\"state/Windowed\")", "GetSection(\"state/Total\")"], Matches(source, @"GetSection\(""[^""]*""\)"));
        Assert.Equal(["_windowedWindow.WriteCheckpoint(ref section);", "_total.WriteCheckpoint(ref section);"], Matches(source, @"\w+\.WriteCheckpoint\(ref section\);"));
        Assert.Equal(["_windowedWindow.ReadCheckpoint(ref section);", "_total.ReadCheckpoint(ref section);"], Matches(source, @"\w+\.ReadCheckpoint\(ref section\);"));
    }

    [Fact]
    public void JobWithoutCrossBatchState_KeepsTheBasesWriteStateAndReadState()
    {
        string source = Generate(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
                [ReduceByKey] public static long Count(long a, long b) => a + b;
                [Sink] public static partial void Output(ReadOnlySpan<byte> word, long count);
            }
            """);

        Assert.DoesNotContain("WriteState", source);
        Assert.DoesNotContain("ReadState", source);
        Assert.DoesNotContain("checkpoint", source, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PipelineCheckpoint_IsTheDefinitionsCheckpointArgument()
    {
        string source = Generate(Usings + """
            [Pipeline(Checkpoint = "state/word \"count\"")]
            public static partial class Job
            {
                [Source] public static partial Lines Input();
                [Sink] public static partial void Output(ReadOnlySpan<byte> line);
            }
            """);

        string[] lines = source.Split('\n').Select(l => l.Trim()).ToArray();
        int createJob = Array.IndexOf(lines, "createJob: static context => new JobJob(context),");
        Assert.True(createJob > 0, "The definition has no createJob argument followed by another.");
        // The partition argument (why this pipeline runs on one partition) follows it.
        Assert.Equal("""checkpoint: "state/word \"count\"",""", lines[createJob + 1]);
    }

    // The source the generator adds for a pipeline that compiles without warnings.
    private static string Generate(string source)
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        return Assert.Single(Assert.Single(result.Results).GeneratedSources).SourceText.ToString();
    }

    private static string[] Registrations(string source) => Matches(source, @"global::Compiled\.Checkpoints\.CheckpointValues\.Register<[^>]*>\(\);");

    private static string[] Matches(string source, string pattern) => Regex.Matches(source, pattern).Select(m => m.Value).ToArray();
}
