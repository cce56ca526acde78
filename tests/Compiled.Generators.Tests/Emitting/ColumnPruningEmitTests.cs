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

    // A JSON record: a nested object whose members are optional ("meta"), and one that holds a required member ("account").
    private const string JsonRecord = """
        using Compiled;

        namespace Shop;

        [Record(Format = RecordFormat.Json)]
        public partial struct OrderEvent
        {
            [Column("id")] public long Id;
            [Column("customer")] public Utf8Text Customer;
            [Column("cents")] public long Cents;
            [Column("account.id")] public long Account;
            [Column("meta.channel", Default = "web")] public string Channel;
            [Column("meta.score")] public double? Score;
        }
        """;

    private static string Loop(string stages) => Generate(stages).Loop;

    private static (string Loop, string Parser) Generate(string stages) => Generate(stages, Record, "Order", "");

    private static (string Loop, string Parser) GenerateJson(string stages, string record = "OrderEvent", string format = "") =>
        Generate(stages, record == "OrderEvent" ? JsonRecord : Record, record, format);

    private static (string Loop, string Parser) Generate(string stages, string recordSource, string record, string format)
    {
        string pipeline = $$"""
            using Compiled;

            namespace Shop;

            [Pipeline]
            public static partial class Orders
            {
                [Source(Default = "file:///data/orders.csv"{{format}})]
                public static partial Lines<{{record}}> Placed();

            {{stages}}
            }
            """;
        var (result, output, diagnostics) = RecordSnapshotTests.Run(GeneratorHarness.CreateCompilationFromFiles(("/src/Order.cs", recordSource), ("/src/Orders.cs", pipeline)));
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

        // Every member, and the place of each on a plain line kept: the sink, written as CSV, copies the four columns at once.
        Assert.Contains("TryReadCsv(_placedReader, placedLine, ulong.MaxValue, 0xFUL, out global::Shop.Order placed)", loop);
        Assert.Contains("SinkWriters.OutputCsvCopying(_output, _text, placed, _placedReader, placedLine);", loop);
        Assert.Contains("if (reader.TryKeptIntegers(line, 0, 3, out global::System.ReadOnlySpan<byte> copied0)) text.AppendShort(copied0);", loop);
    }

    [Fact]
    public void AMapThatComputesAMember_LeavesItOutOfTheCopiedColumns()
    {
        string loop = Loop("""
                [Map]
                public static Order InEuros(Order order) => order with { Cents = order.Cents / 100, Time = order.Id };

                [Sink(Default = "console")]
                public static partial void Output(Order order);
            """);

        // Id and Customer are copied as one run; Cents is computed, so written from its value; Time holds Id unchanged,
        // so Id's column is copied into its place.
        Assert.Contains("TryReadCsv(_placedReader, placedLine, ulong.MaxValue, 0x3UL, out global::Shop.Order placed)", loop);
        Assert.Contains("reader.TryKeptIntegers(line, 0, 1, out", loop);
        Assert.Contains("reader.TryKeptIntegers(line, 0, 0, out", loop);
        Assert.DoesNotContain("TryKeptIntegers(line, 2", loop);
        Assert.DoesNotContain("TryKeptIntegers(line, 3", loop);
    }

    [Fact]
    public void AMapThatCallsAMethod_CopiesNothing()
    {
        string loop = Loop("""
                [Map]
                public static Order Same(Order order) => Identity(order);

                public static Order Identity(Order order) => order;

                [Sink(Default = "console")]
                public static partial void Output(Order order);
            """);

        Assert.DoesNotContain("CsvCopying", loop);
        Assert.DoesNotContain("TryKeptIntegers", loop);
    }

    [Fact]
    public void AJsonRecord_ReadingTwoMembers_ConvertsOnlyThose()
    {
        (string loop, string parser) = GenerateJson("""
                [Filter]
                public static bool Large(OrderEvent order) => order.Cents > 10_000;

                [Map]
                public static KeyValue<long> CentsPerCustomer(OrderEvent order) => new(order.Customer.Span, order.Cents);

                [ReduceByKey]
                public static long Add(long a, long b) => a + b;

                [Sink(Default = "console")]
                public static partial void Output(ReadOnlySpan<byte> customer, long cents);
            """);

        Assert.Contains("converting only the members the stages read (Customer, Cents)", loop);
        Assert.Contains("TryReadJson(_placedReader, placedLine, 0x6UL, out global::Shop.OrderEvent placed)", loop);

        // The parser converts each value only under its member's bit; a required member's presence is noted either way,
        // and in the general loop a value no stage reads is skipped with all it holds.
        string walk = parser[parser.IndexOf("private static bool ReadJson", StringComparison.Ordinal)..];
        Assert.Contains(Unindented("""
            has0 = true;
            if ((members & 0x1UL) != 0)
            {
                if ((reason = global::Compiled.JsonValues.Int64(ref json, out m0)) != global::Compiled.BadRecordReason.None) return reader.Refuse(reason, 0, json.ValueSpan);
            }
            """), Unindented(walk));
        Assert.Contains(Unindented("""
                if ((reason = reader.ReadText(ref json, out m1)) != global::Compiled.BadRecordReason.None) return reader.Refuse(reason, 1, json.ValueSpan);
            }
            else json.Skip();
            """), Unindented(walk));

        // "meta" holds only optional members: skipped whole when no stage reads them. "account" holds a required one, whose
        // presence is checked, so it is walked; a default is not read for a member no stage reads.
        Assert.Contains(Unindented("""
            if ((members & 0x30UL) == 0)
            {
            // No stage reads what it holds, and nothing in it is required: skipped, whatever it is.
            json.Skip();
            }
            """), Unindented(walk));
        Assert.DoesNotContain("if ((members & 0x8UL) == 0)", walk);
        Assert.Contains("if (!has3) return reader.Refuse(global::Compiled.BadRecordReason.MissingColumn, 3, default);", walk);
        Assert.Contains("if (!has4 && (members & 0x10UL) != 0) m4 = \"web\"; // Channel: \"web\".", walk);
    }

    [Fact]
    public void ACsvRecordReadAsJson_PassesTheMaskToItsJsonParser()
    {
        (string loop, _) = GenerateJson("""
                [Map]
                public static long Cents(Order order) => order.Cents;

                [Sink(Default = "console")]
                public static partial void Output(long cents);
            """, record: "Order", format: ", Format = RecordFormat.Json");

        Assert.Contains("converting only the members the stages read (Cents)", loop);
        Assert.Contains("TryReadJson(_placedReader, placedLine, 0x4UL, out global::Shop.Order placed)", loop);
    }

    [Fact]
    public void AJsonRecordThatReachesASink_ReadsEveryMember()
    {
        (string loop, _) = GenerateJson("""
                [Filter]
                public static bool Large(OrderEvent order) => order.Cents > 10_000;

                [Sink(Default = "console")]
                public static partial void Output(OrderEvent order);
            """);

        Assert.Contains("TryReadJson(_placedReader, placedLine, out global::Shop.OrderEvent placed)", loop);
        Assert.DoesNotContain("converting only", loop);
    }

    [Fact]
    public void AJsonRecordOfMoreThan64Members_ReadsThoseFrom64On_Always()
    {
        // 70 members, the last two in a nested object and the last one text: bits 0 to 63 are masked, the rest always read.
        string members = string.Join("\n    ", Enumerable.Range(0, 68).Select(i => $"public long M{i};"));
        string record = $$"""
            using Compiled;

            namespace Shop;

            [Record(Format = RecordFormat.Json)]
            public partial struct Wide
            {
                {{members}}
                [Column("tail.a", Default = "0")] public long A;
                [Column("tail.b")] public Utf8Text B;
            }
            """;
        (string loop, string parser) = Generate("""
                [Map]
                public static long Sum(Wide wide) => wide.M1 + wide.M65;

                [Sink(Default = "console")]
                public static partial void Output(long sum);
            """, record, "Wide", "");

        // Bit 1 for M1; M65, past the 64th, has no bit: it is read whatever the mask.
        Assert.Contains("converting only the members the stages read (M1)", loop);
        Assert.Contains("TryReadJson(_placedReader, placedLine, 0x2UL, out global::Shop.Wide placed)", loop);
        string walk = parser[parser.IndexOf("private static bool ReadJson", StringComparison.Ordinal)..];
        Assert.Contains("if ((members & 0x8000000000000000UL) != 0)", walk);
        Assert.DoesNotContain("0x10000000000000000UL", walk);
        // M64 and the nested A and B are read whatever the mask: no test of a bit for them, and the line is always kept for B.
        Assert.Contains("if (!has69) return reader.Refuse(global::Compiled.BadRecordReason.MissingColumn, 69, default);", walk);
        Assert.Contains("if (!has68) global::Compiled.CsvValues.Int64(\"0\"u8, out m68); // A: \"0\".", walk);
        Assert.Contains("if (!reader.TryBegin(line, out global::System.ReadOnlySpan<byte> record))", parser);
    }

    // The generated code with each line's indentation taken off, so that a block can be found at any depth.
    private static string Unindented(string code) =>
        string.Join("\n", code.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimStart()));
}
