using Compiled.Generators.Tests.Shapes;
using Compiled.Internal;

namespace Compiled.Generators.Tests.Parsing;

/// <summary>
/// A typed source's fields: every type CMP0009 names as one a field may have is one the generator accepts, and the
/// generated code that parses it compiles. Both read <see cref="FieldTypes"/>, so the message cannot list a type that is refused.
/// </summary>
public class TypedFieldTests
{
    [Fact]
    public void TypedSource_OfALongAndADateTime_Compiles() => CompilesCleanlyTests.AssertCompilesCleanly("""
        [Pipeline]
        public static partial class Job
        {
            [Source] public static partial Lines<(long Id, DateTime At)> Input();
            [Sink] public static partial void Output((long Id, DateTime At) record);
        }
        """);

    [Fact]
    public void TypedSource_OfEveryTypeTheMessageLists_Compiles()
    {
        // A source of a tuple of every listed type, then a source of each alone (a field that is the whole line).
        string[] types = FieldTypes.OwnParsers.Concat(FieldTypes.ParsableExamples).Select(t => t[1]).ToArray();
        Assert.Contains("DateTime", types);
        Assert.Contains("DateTimeOffset", types);
        string tuple = "(" + string.Join(", ", types.Select((t, i) => $"{t} F{i}")) + ")";
        CompilesCleanlyTests.AssertCompilesCleanly($$"""
            [Pipeline]
            public static partial class Tuples
            {
                [Source] public static partial Lines<{{tuple}}> Input();
                [Sink] public static partial void Output({{tuple}} record);
            }
            """);
        foreach (string type in types)
        {
            CompilesCleanlyTests.AssertCompilesCleanly($$"""
                [Pipeline]
                public static partial class Single
                {
                    [Source] public static partial Lines<{{type}}> Input();
                    [Sink] public static partial void Output({{type}} record);
                }
                """);
        }
    }
}
