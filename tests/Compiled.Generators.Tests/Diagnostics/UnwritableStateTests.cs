using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>
/// CMP0035: a stage that keeps, from batch to batch, keys, values, state or records of a type a checkpoint cannot write
/// (it holds references and does not implement ICheckpointValue&lt;T&gt;) is warned of at build time, at the stage; the
/// same text goes into the definition's checkpoint problems. Unmanaged types, byte keys and types that write
/// themselves are not warned of, nor is a type that only passes through stateless stages.
/// </summary>
public class UnwritableStateTests
{
    private const string Usings = "using Compiled;\nusing Compiled.Checkpoints;\n";

    private static string Message(string stage, string what, string type) =>
        $"Stage '{stage}' keeps {what} of type '{type}', which a checkpoint cannot write: make '{type}' an unmanaged struct (no reference fields) or a tuple or struct of numbers and strings whose members can be set (a record struct), or implement Compiled.Checkpoints.ICheckpointValue<{type}>; without that, the pipeline runs but refuses --checkpoint";

    [Fact]
    public void CMP0035_UnwritableState() => DiagnosticVerifier.Verify(Usings + """
        public record struct Tally(string[] Last, long Count);

        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(int User, long Clicks)> Clicks();
            [UpdateStateByKey] public static Tally? [|Total|](ReadOnlySpan<long> values, Tally? state) => new Tally(["x"], values.Length);
            [Sink] public static partial void Output(int user, Tally total);
        }
        """,
        "CMP0035",
        Message("Total", "state", "Tally"));

    [Fact]
    public void CMP0035_EachKindOfKeptValue_IsNamedWithItsStage()
    {
        // Struct keys holding an array, values holding one in a window, a window of such records, event-time windows and
        // sessions of such values: each stage is warned of once per type it keeps. (A string itself is written as UTF-8,
        // and a struct of numbers and strings member by member.)
        string[] messages = Warnings(Usings + """
            public readonly record struct Name(string[] Value);
            public readonly record struct Page(string[] Path);

            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(long Time, string User)> Clicks();
                [Map] public static (Name User, Page Page) ByName((long Time, string User) click) => (new Name([click.User]), new Page(["p"]));
                [ReduceByKeyAndWindow(Length = "10s")] public static Page Pages(Page a, Page b) => b;
                [Sink] public static partial void PagesOut(Name user, Page pages);
                [Map(Input = nameof(Clicks))] public static Name User((long Time, string User) click) => new([click.User]);
                [Window(Length = "3s")] public static partial Name Recent(Name user);
                [Sink] public static partial void RecentOut(Name user);
                [EventTime(Input = nameof(Clicks))] public static long At((long Time, string User) click) => click.Time;
                [Map] public static (int Length, Page User) ByLength((long Time, string User) click) => (click.User.Length, new Page([click.User]));
                [EventWindow(Size = "1m")] public static Page PerMinute(Page a, Page b) => b;
                [Sink] public static partial void PerMinuteOut(Windowed<int, Page> users);
                [SessionWindow(Input = nameof(ByLength), Gap = "30s")] public static Page Sessions(Page a, Page b) => b;
                [Sink] public static partial void SessionsOut(Windowed<int, Page> users);
            }
            """);

        Assert.Equal(
            [
                Message("Pages", "keys", "Name"),
                Message("Pages", "values", "Page"),
                Message("Recent", "records", "Name"),
                Message("PerMinute", "values", "Page"),
                Message("Sessions", "values", "Page"),
            ],
            messages);
    }

    [Fact]
    public void CMP0035_NotForStrings_WhichACheckpointWritesAsUtf8()
    {
        string[] messages = Warnings(Usings + """
            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<string> Words();
                [Window(Length = "3s")] public static partial string Recent(string word);
                [ReduceByWindow(Length = "3s")] public static string Joined(string a, string b) => a + b;
                [Sink] public static partial void Out(string text);
            }
            """);

        Assert.Empty(messages);
    }

    [Fact]
    public void CMP0035_NotForWritableTypes_NorForStatelessStages()
    {
        // Unmanaged state and keys, byte keys, a nullable, a type that implements ICheckpointValue<T>, tuples and record
        // structs of numbers and strings (written member by member), and strings that only pass through a map and a
        // per-batch reduce: nothing to warn of.
        string[] messages = Warnings(Usings + """
            public readonly record struct Point(int X, int Y);

            public record struct Tally(string Last, long Count) : ICheckpointValue<Tally>
            {
                public static void WriteTo(in Tally value, ref CheckpointWriter.Section section)
                {
                    section.WriteString(value.Last);
                    section.WriteUnmanaged(value.Count);
                }

                public static Tally ReadFrom(ref CheckpointReader.Section section) => new(section.ReadString(), section.ReadUnmanaged<long>());
            }

            [Pipeline]
            public static partial class Job
            {
                [Source] public static partial Lines<(int User, long Clicks)> Clicks();
                [UpdateStateByKey] public static Tally? Total(ReadOnlySpan<long> values, Tally? state) => new Tally("x", values.Length);
                [Sink] public static partial void TotalOut(int user, Tally total);
                [Map(Input = nameof(Clicks))] public static (Point At, long? Clicks) ByPoint((int User, long Clicks) click) => (new Point(click.User, 0), click.Clicks);
                [ReduceByKeyAndWindow(Length = "10s")] public static long? Sum(long? a, long? b) => a + b;
                [Sink] public static partial void SumOut(Point at, long? clicks);
                [Map(Input = nameof(Clicks))] public static KeyValue<Point> Named((int User, long Clicks) click) => new("u"u8, new Point(click.User, 0));
                [MapWithState] public static long Last(ReadOnlySpan<byte> user, Point? point, State<Point> state) => 1;
                [Sink] public static partial void LastOut(long last);
                [Map(Input = nameof(Clicks))] public static KeyValue<string> Text((int User, long Clicks) click) => new("u"u8, "text");
                [ReduceByKey] public static string Join(string a, string b) => a + b;
                [Sink] public static partial void JoinOut(ReadOnlySpan<byte> user, string text);
                [Map(Input = nameof(Clicks))] public static ((string Name, int Day) Key, Visit Visit) ByDay((int User, long Clicks) click) => (("u", 1), new Visit("p", click.Clicks));
                [ReduceByKeyAndWindow(Length = "10s")] public static Visit Latest(Visit a, Visit b) => b;
                [Sink] public static partial void LatestOut((string Name, int Day) key, Visit visit);
            }

            public record struct Visit(string Page, long Clicks);
            """);

        Assert.Empty(messages);
    }

    // The CMP diagnostics of a pipeline that otherwise compiles: the messages of its warnings, in order.
    private static string[] Warnings(string source)
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.All(diagnostics, d => Assert.Equal("CMP0035", d.Id));
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToArray();
    }
}
