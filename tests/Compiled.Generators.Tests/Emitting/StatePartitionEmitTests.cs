using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>
/// Which [MapWithState] pipelines run on partitions, and how: one more partition keeps the stage's records for the
/// boundary, so keys and values must own their data; the state is kept in shards mapped side by side when every sink
/// below takes records a partition can keep, else the job maps every partition's records itself. One whose key or value
/// holds a view into the line, whose stages report bad records with the line, or whose stage below is fed by another
/// stage too, keeps one partition and says why.
/// </summary>
public class StatePartitionEmitTests
{
    [Theory]
    [InlineData("KeyValue<long>", "ReadOnlySpan<byte> key, long? value", "long")]
    [InlineData("KeyValue<(long A, int B)>", "ReadOnlySpan<byte> key, (long A, int B)? value", "long")]
    [InlineData("(int Key, (long A, int B) Value)", "int key, (long A, int B)? value", "long")]
    [InlineData("(string Key, long Value)", "string key, long? value", "long")]
    public void OutputsAPartitionCanKeep_RunOnPartitions_TheStateInShardsMappedSideBySide(string record, string parameters, string state)
    {
        // The sink below takes numbers, which a partition keeps until the boundary: shard s is mapped on partition s's loop.
        string generated = Generate(record, parameters, state, "");
        Assert.Contains("maxParallelism: int.MaxValue", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("singlePartitionReason", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("do not shard by key", generated, StringComparison.Ordinal);
        Assert.Contains("public override bool MapsStateInShards => true;", generated, StringComparison.Ordinal);
        Assert.Contains("_trackArrived = context.Keep(new global::Compiled.State.Partitions.StateInputShards<", generated, StringComparison.Ordinal);
        Assert.Contains("if (_trackArrived is null || !_trackArrived.Keep(", generated, StringComparison.Ordinal);
        Assert.Contains("(_trackArrived ??= new(mapsShardZero: true)).KeepFor(_trackShards.Count);", generated, StringComparison.Ordinal);
        Assert.Contains("var inputLoop = shard == 0 ? new InputLoop(this) : new InputLoop((Partition)partitions[shard - 1]);", generated, StringComparison.Ordinal);
        Assert.Contains("inputLoop.MapTrack(kept.KeyAt(i), kept.ValueAt(i));", generated, StringComparison.Ordinal);
        Assert.Contains("_track.WriteCheckpoint(_trackShards, ref section);", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsAsTheyAreThatHoldViews_RunOnPartitions_EachPartitionKeepingTheRecordsForTheJob()
    {
        // The sink below takes KeyValue<long> records, which a partition cannot keep: the job maps every partition's
        // records with its one store at the boundary, partition after partition.
        string generated = Generate("KeyValue<long>", "ReadOnlySpan<byte> key, long? value", "long", "", output: "KeyValue<long>");
        Assert.Contains("maxParallelism: int.MaxValue", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("MapsStateInShards", generated, StringComparison.Ordinal);
        Assert.Contains("_trackArrived = context.Keep(new global::Compiled.State.Partitions.PartitionStateInput<long>());", generated, StringComparison.Ordinal);
        Assert.Contains("if (_trackArrived is null) MapTrack(", generated, StringComparison.Ordinal);
        Assert.Contains("inputLoop.MapTrack(_trackArrived.KeyAt(i), _trackArrived.ValueAt(i));", generated, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KeyValue<Utf8Text>", "ReadOnlySpan<byte> key, Utf8Text? value", "values")]
    [InlineData("(Utf8Text Key, long Value)", "Utf8Text key, long? value", "keys")]
    public void KeyOrValueThatHoldsAViewIntoTheLine_KeepsOnePartition_SayingWhy(string record, string parameters, string which)
    {
        string generated = Generate(record, parameters, "long", "");
        Assert.Contains(
            $"singlePartitionReason: \"stage [MapWithState] Track takes Utf8Text {which}, which hold views into a buffer a partition reuses, so a partition cannot keep its records until the batch boundary; give the stage a key and value that own their data (a string for text) to run on partitions\"",
            generated, StringComparison.Ordinal);
        Assert.DoesNotContain("class Partition", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void StageBelowFedByAnotherStageToo_KeepsOnePartition_SayingWhy()
    {
        // The union takes the stage's records and the keyed lines themselves: a partition's records of the stage would
        // reach it only at the boundary, after the partition's other records.
        string generated = Generate("KeyValue<long>", "ReadOnlySpan<byte> key, long? value", "long", """
            [Union(Input = nameof(Track), Other = nameof(Pair))] public static partial KeyValue<long> Both(KeyValue<long> record);
            [Sink] public static partial void All(KeyValue<long> record);
            """, output: "KeyValue<long>");
        Assert.Contains("singlePartitionReason: \"stage [MapWithState] Track feeds [Union] Both, which [Map] Pair feeds too", generated, StringComparison.Ordinal);
    }

    // A pipeline of lines mapped to 'record', a [MapWithState] Track over it taking 'parameters' and a State<'state'>,
    // its output written per record, and 'more' stages.
    private static string Generate(string record, string parameters, string state, string more, string output = "long")
    {
        string value = output == "long" ? "0" : "new(key, 0)";
        string source = $$"""
            using System;
            using Compiled;

            [Pipeline]
            public static partial class Clicks
            {
                [Source] public static partial Lines Input();
                [Map] public static {{record}} Pair(ReadOnlySpan<byte> line) => default;
                [MapWithState] public static {{output}} Track({{parameters}}, State<{{state}}> total) => {{value}};
                [Sink(Input = nameof(Track))] public static partial void Out({{output}} total);
                {{more}}
            }
            """;
        var (_, compiled, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(compiled.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
        return string.Concat(compiled.SyntaxTrees.Select(t => t.GetText(TestContext.Current.CancellationToken).ToString()));
    }
}
