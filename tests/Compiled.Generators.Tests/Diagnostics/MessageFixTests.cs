namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// Messages that once said only what was wrong now also say what to do: a union of two record types, a window length
/// of zero written with decimals (found as zero by the same check as the lateness and idle timeout), and a
/// [FlatMapValues] or [MapValues] whose values a keyed record cannot hold. The README's diagnostics table says both for
/// every id.
/// </summary>
public class MessageFixTests
{
    private const string Usings = "using Compiled;\n";

    [Fact]
    public void CMP0030_UnionOfDifferentTypes() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static int Length(ReadOnlySpan<byte> line) => line.Length;
            [Union(Input = nameof(Input), Other = [|nameof(Length)|])] public static partial ReadOnlySpan<byte> All(ReadOnlySpan<byte> line);
            [Sink] public static partial void Output(ReadOnlySpan<byte> line);
        }
        """,
        "CMP0030",
        "Stage 'All' reads two streams, but 'Input' emits 'ReadOnlySpan<byte>' and 'Length' emits 'int'; a union reads two streams of one type; add a [Map] that turns one stream's records into the other's type");

    [Fact]
    public void CMP0026_SessionGapOfZeroWithDecimals() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [EventTime] public static long Time(ReadOnlySpan<byte> line) => line.Length;
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [SessionWindow(Gap = [|"0.0s"|])] public static long Add(long a, long b) => a + b;
            [Sink] public static partial void Output(Windowed<long> session);
        }
        """,
        "CMP0026",
        "The window of stage 'Add' has Gap '0.0s', but it must be more than zero; write a positive duration, e.g. 30s");

    [Fact]
    public void CMP0006_FlatMapValuesNotEnumerable() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [FlatMapValues] public static long [|Twice|](long value) => value * 2;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, long value);
        }
        """,
        "CMP0006",
        "Stage 'Twice' has a signature a [FlatMapValues] cannot have: it returns 'long', which foreach cannot walk; return an enumerable of the values, e.g. a struct enumerable");

    [Fact]
    public void CMP0006_MapValuesToRefStruct() => DiagnosticVerifier.Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines Input();
            [Map] public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);
            [MapValues] public static ReadOnlySpan<byte> [|Empty|](long value) => default;
            [Sink] public static partial void Output(ReadOnlySpan<byte> word, ReadOnlySpan<byte> value);
        }
        """,
        "CMP0006",
        "Stage 'Empty' has a signature a [MapValues] cannot have: its values are 'ReadOnlySpan<byte>', a ref struct, which a keyed record cannot hold; make its values a type that is not a ref struct, e.g. a struct or a string");

    [Fact]
    public void EveryDescriptorIsInTheReadmeWithWhatToDo()
    {
        // A row "| CMP0001 | Error | what is wrong | what to do |" for each id, with the descriptor's severity.
        string[] rows = File.ReadAllLines(Path.Combine(GeneratorHarness.ProjectDirectory, "..", "..", "README.md"));
        foreach (Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor in Compiled.Generators.Diagnostics.DiagnosticDescriptors.All)
        {
            string? row = rows.SingleOrDefault(r => r.StartsWith($"| {descriptor.Id} |", StringComparison.Ordinal));
            Assert.True(row is not null, $"README.md's diagnostics table has no row for {descriptor.Id}");
            string[] cells = row!.Split(" | ");
            Assert.Equal(4, cells.Length);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[1]);
            Assert.All(cells, cell => Assert.False(string.IsNullOrWhiteSpace(cell.Trim('|')), $"{descriptor.Id} has an empty cell: {row}"));
        }
    }
}
