using Compiled.Generators.Tests.Snapshots;

namespace Compiled.Generators.Tests.Emitting;

/// <summary>
/// Column pruning: a CSV [Record] source's loop parses only the members its stages read, following the record through
/// filters and the [EventTime] stage; any stage that takes the record whole (a sink, a <c>with</c>, a call, a computed
/// property) makes it parse every member. Each generated pipeline compiles cleanly.
/// </summary>
public class ColumnPruningEmitTests
{
    private const string Record = """
        using Compiled;

        namespace Shop;

        [Record(Header = RecordHeader.None, MultiLine = false)]
        public partial record struct Order(long Id, long Customer, long Cents, long Time)
        {
            public long Euros => Cents / 100;
        }
        """;

    private static string Loop(string stages) => Generate(stages).Loop;

    private static (string Loop, string Parser) Generate(string stages)
    {
        string pipeline = $$"""
            using Compiled;

            namespace Shop;

            [Pipeline]
            public static partial class Orders
            {
                [Source(Default = "file:///data/orders.csv")]
                public static partial Lines<Order> Placed();

            {{stages}}
            }
            """;
        var (result, output, diagnostics) = RecordSnapshotTests.Run(GeneratorHarness.CreateCompilationFromFiles(("/src/Order.cs", Record), ("/src/Orders.cs", pipeline)));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        return (result.Results[0].GeneratedSources.Single().SourceText.ToString(),
            result.Results[1].GeneratedSources.Single(s => s.HintName.EndsWith(".Record.g.cs", StringComparison.Ordinal)).SourceText.ToString());
    }

    [Fact]
    public void AFilterAndAMap_ReadingTwoMembers_ParseOnlyThose()
    {
        string loop = Loop("""
                [Filter]
                public static bool Large(Order order) => order.Cents > 10_000;

                [Map]
                public static (long, long) CustomerAndCents(Order order) => (order.Customer, order.Cents);

                [Sink(Default = "console")]
                public static partial void Output((long Customer, long Cents) order);
            """);

        // The filter's member first; the map's other member only for the orders the filter keeps.
        Assert.Contains("parsing first only the members the leading filters read (Cents)", loop);
        Assert.Contains("TryReadCsv(_placedReader, placedLine, 0x4UL, out global::Shop.Order placed)", loop);
        Assert.Contains("The rest of the members the stages read (Customer)", loop);
        Assert.Contains("if (!global::Shop.Order.TryReadCsvRest(_placedReader, placedLine, 0x2UL, ref placed)) return;", loop);
        Assert.True(loop.IndexOf("Large(placed)", StringComparison.Ordinal) < loop.IndexOf("TryReadCsvRest", StringComparison.Ordinal));
        // The test driver's OnValue takes whole records: it runs the stages with nothing more to read.
        Assert.Contains("if (!global::Shop.Order.TryReadCsv(_placedReader, placedLine, 0x4UL", loop);
        // A CSV record read one line each, without a header of names, is split over partitions.
        Assert.DoesNotContain("singlePartitionReason", loop);
        Assert.Contains("_placedReader.BeginStream(streamName, offset);", loop);
    }

    [Fact]
    public void TwoFiltersOneBelowTheOther_ReadTheirMembersFirst_AndTheRestAfterTheSecond()
    {
        string loop = Loop("""
                [Filter]
                public static bool Large(Order order) => order.Cents > 10_000;

                [Filter]
                public static bool Recent(Order order) => order.Time > 5;

                [Map]
                public static long Customer(Order order) => order.Customer;

                [Sink(Default = "console")]
                public static partial void Output(long customer);
            """);

        Assert.Contains("TryReadCsv(_placedReader, placedLine, 0xCUL, out global::Shop.Order placed)", loop);
        Assert.Contains("TryReadCsvRest(_placedReader, placedLine, 0x2UL, ref placed)) return;", loop);
        Assert.True(loop.IndexOf("Recent(placed)", StringComparison.Ordinal) < loop.IndexOf("TryReadCsvRest", StringComparison.Ordinal));
    }

    [Theory]
    // The filter reads every member the stages need: nothing is left to read after it.
    [InlineData("public static bool Large(Order order) => order.Cents > order.Customer;", "public static long Cents(Order order) => order.Cents;")]
    // A filter guarded against an exception: its record is parsed whole before it, as its bad-record report needs.
    [InlineData("[Filter(OnError = BadRecordPolicy.Skip)] public static bool Large2(Order order) => 100 / order.Cents > 0;", "public static long Customer(Order order) => order.Customer;")]
    public void AFilterReadingAllThatIsRead_OrGuarded_ReadsTheRecordAtOnce(string filter, string map)
    {
        string loop = Loop($$"""
                {{(filter.StartsWith('[') ? "" : "[Filter]")}}
                {{filter}}

                [Map]
                {{map}}

                [Sink(Default = "console")]
                public static partial void Output(long value);
            """);

        Assert.Contains("parsing only the members the stages read", loop);
        Assert.DoesNotContain("TryReadCsvRest", loop);
    }

    [Fact]
    public void APlainLine_IsReadByPosition_EachIntegerInThePassThatFindsItsEnd_AndStopsAfterTheLastColumnRead()
    {
        (_, string parser) = Generate("""
                [Map]
                public static long Cents(Order order) => order.Cents;

                [Sink(Default = "console")]
                public static partial void Output(long cents);
            """);

        string plain = parser[parser.IndexOf("if (reader.IsPlain(line))", StringComparison.Ordinal)..parser.IndexOf("general:", StringComparison.Ordinal)];
        Assert.Contains("if (!global::Compiled.CsvRecordReader.PlainInt64(line, ref at, (byte)',', false, out m2)) goto general;", plain);
        Assert.Contains("else global::Compiled.CsvRecordReader.PlainField(line, ref at, (byte)',', false);", plain);
        // Past the cents (column 2), only the time's column is left: without the time, the line is not cut further.
        Assert.Contains("if ((members & (0x8UL)) == 0) goto plainDone;", plain);
        Assert.Contains("reader.TookPlain();", plain);
    }

    [Fact]
    public void TheEventTimeStage_HandsTheRecordOn_AndItsMemberIsRead()
    {
        string loop = Loop("""
                [EventTime(Lateness = "1s")]
                public static long TimeOf(Order order) => order.Time;

                [Map]
                public static long Id(Order order) => order.Id;

                [Sink(Default = "console")]
                public static partial void Output(long id);
            """);

        Assert.Contains("parsing only the members the stages read (Id, Time)", loop);
        Assert.Contains("0x9UL", loop);
    }

    [Theory]
    [InlineData("public static long Cents(Order order) => order.Euros;", "a computed property")]
    [InlineData("public static long Cents(Order order) => Of(order);\n    private static long Of(Order order) => order.Cents;", "the record passed to a method")]
    [InlineData("public static long Cents(Order order) => (order with { Id = 0 }).Cents;", "a with expression")]
    [InlineData("public static long Cents(Order order) => order.ToString().Length;", "a method of the record")]
    public void AStageThatTakesTheRecordWhole_ReadsEveryMember(string map, string why)
    {
        string loop = Loop($$"""
                [Map]
                {{map}}

                [Sink(Default = "console")]
                public static partial void Output(long cents);
            """);

        Assert.True(loop.Contains("TryReadCsv(_placedReader, placedLine, out global::Shop.Order placed)", StringComparison.Ordinal), why);
        Assert.DoesNotContain("parsing only", loop);
    }

    [Fact]
    public void ARecordThatReachesASink_ReadsEveryMember()
    {
        string loop = Loop("""
                [Filter]
                public static bool Large(Order order) => order.Cents > 10_000;

                [Sink(Default = "console")]
                public static partial void Output(Order order);
            """);

        Assert.Contains("TryReadCsv(_placedReader, placedLine, out global::Shop.Order placed)", loop);
    }
}
