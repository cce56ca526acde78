using System.Collections.Immutable;
using System.Globalization;
using Compiled.Generators.Tests.Snapshots;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Compiled.Generators.Tests.Diagnostics;

/// <summary>One test per [Record] diagnostic: its id, its location (marked [| |]) and its whole message.</summary>
public class RecordDiagnosticTests
{
    private const string Usings = "using Compiled;\n";

    private static void Verify(string markup, string id, string message)
    {
        int start = markup.IndexOf("[|", StringComparison.Ordinal);
        int end = markup.IndexOf("|]", StringComparison.Ordinal);
        string source = markup.Remove(end, 2).Remove(start, 2);
        var (_, output, diagnostics) = RecordSnapshotTests.Run(GeneratorHarness.CreateCompilation(source));
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(new TextSpan(start, end - start - 2), diagnostic.Location.SourceSpan);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.DoesNotContain(diagnostics, d => d.Id.StartsWith("CMP", StringComparison.Ordinal) && d.Id != id);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS0260"));
    }

    [Fact]
    public void CMP0101_RecordNotPartial() => Verify(Usings + """
        [Record]
        public struct [|Trade|]
        {
            public long Id;
        }
        """,
        "CMP0101",
        "Record 'Trade' must be declared partial so that its parser can be generated into it; add the 'partial' keyword to the declaration of 'Trade'");

    [Fact]
    public void CMP0102_UnsupportedRecordMember() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            public long Id;
            public System.Uri [|Link|];
        }
        """,
        "CMP0102",
        "Member 'Link' of record 'Trade' is of type 'Uri', which a CSV field cannot be read as; give it one of the types a field can be read as (an integer type, double, float, decimal, bool, an enum, DateTime, DateTimeOffset, Guid, Utf8Text or string), or make it non-public so that it is not a column");

    [Fact]
    public void CMP0102_NullableText_PointsToIsEmpty() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            public long? Id;
            public Utf8Text? [|Venue|];
        }
        """,
        "CMP0102",
        "Member 'Venue' of record 'Trade' is of the nullable type 'Utf8Text?' (text has no null: a Utf8Text is empty where its field is missing or empty, so drop the '?' and test IsEmpty); give it one of the types a field can be read as (an integer type, double, float, decimal, bool, an enum, DateTime, DateTimeOffset, Guid, Utf8Text or string), or make it non-public so that it is not a column");

    [Fact]
    public void CMP0104_DefaultOfANullableMember() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            [Column([|Default = "0"|])] public long? Id;
        }
        """,
        "CMP0104",
        "The default \"0\" of 'Id' of record 'Trade' cannot be honoured: a nullable member is null where its field is missing or empty; remove Default, or make 'Id' non-nullable to take the default there");

    [Fact]
    public void CMP0103_DuplicateColumnByName() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            [Column("id")] public long Id;
            [[|Column("ID")|]] public long Other;
        }
        """,
        "CMP0103",
        "Members 'Id' and 'Other' of record 'Trade' both read column \"ID\"; give one of them another [Column] name or Index");

    [Fact]
    public void CMP0103_DuplicateColumnByIndex() => Verify(Usings + """
        [Record(Header = RecordHeader.None)]
        public partial struct Trade
        {
            [Column(Index = 2)] public long Id;
            [[|Column(Index = 2)|]] public long Other;
        }
        """,
        "CMP0103",
        "Members 'Id' and 'Other' of record 'Trade' both read column 2; give one of them another [Column] name or Index");

    [Fact]
    public void CMP0104_FormatTheParserCannotHonour() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            [Column([|Format = "yyyy-MM-dd hh:mm"|])] public DateTime Time;
        }
        """,
        "CMP0104",
        "The format \"yyyy-MM-dd hh:mm\" of 'Time' of record 'Trade' cannot be honoured: it is not a .NET date and time format that reads back what it writes (e.g. \"yyyy-MM-dd HH:mm:ss\"), nor \"unix\" (seconds) or \"unixms\" (milliseconds)");

    [Fact]
    public void CMP0104_FormatOnANumber() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            [Column([|Format = "0.00"|])] public decimal Price;
        }
        """,
        "CMP0104",
        "The format \"0.00\" of 'Price' of record 'Trade' cannot be honoured: a format applies to a DateTime or DateTimeOffset, and 'Price' is 'decimal'; remove Format");

    [Fact]
    public void CMP0104_DefaultOutOfRange() => Verify(Usings + """
        [Record]
        public partial struct Trade
        {
            [Column([|Default = "300"|])] public byte Level;
        }
        """,
        "CMP0104",
        "The default \"300\" of 'Level' of record 'Trade' cannot be honoured: '300' is not a value of 'byte'; write the default as the field would be written in the file");

    [Fact]
    public void CMP0104_SeparatorIsAQuote() => Verify(Usings + """
        [Record([|Separator = '"'|])]
        public partial struct Trade
        {
            public long Id;
        }
        """,
        "CMP0104",
        "The separator \"\\\"\" of record 'Trade' cannot be honoured: a separator is one ASCII character other than a quote, \\r or \\n; use ',', ';', '\\t' or '|'");

    [Fact]
    public void CMP0105_RecordHasNoColumns() => Verify(Usings + """
        [Record]
        public partial struct [|Trade|]
        {
            private long _id;
            public long Id => _id;
        }
        """,
        "CMP0105",
        "Record 'Trade' has no columns; declare a public field or a public property with a setter for each column");

    [Fact]
    public void CMP0106_JsonIgnoresColumnIndex() => Verify(Usings + """
        [Record(Format = RecordFormat.Json)]
        public partial struct Trade
        {
            [Column("id", [|Index = 2|])] public long Id;
        }
        """,
        "CMP0106",
        "The Index of 'Id' of record 'Trade' has no meaning in JSON lines, which find each member by its property name or path; remove it, or declare the record CSV");

    [Fact]
    public void CMP0106_JsonIgnoresSeparator() => Verify(Usings + """
        [Record(Format = RecordFormat.Json, [|Separator = ';'|])]
        public partial struct Trade
        {
            public long Id;
        }
        """,
        "CMP0106",
        "Separator of record 'Trade' has no meaning in JSON lines, which find each member by its property name or path; remove it, or declare the record CSV");

    [Fact]
    public void CMP0106_JsonIgnoresCheckUnreadColumns() => Verify(Usings + """
        [Record(Format = RecordFormat.Json, [|CheckUnreadColumns = false|])]
        public partial struct Trade
        {
            public long Id;
        }
        """,
        "CMP0106",
        "CheckUnreadColumns of record 'Trade' has no meaning in JSON lines, which find each member by its property name or path; remove it, or declare the record CSV");

    [Fact]
    public void CMP0104_UnreadColumnsUncheckedOnAMultiLineRecord() => Verify(Usings + """
        [Record(Header = RecordHeader.None, [|CheckUnreadColumns = false|])]
        public partial struct Trade
        {
            public long Id;
        }
        """,
        "CMP0104",
        "CheckUnreadColumns = false of record 'Trade' cannot be honoured: a record whose quoted fields may hold line breaks has its quotes followed through every column, read or not; declare it MultiLine = false too (each line one record), or remove CheckUnreadColumns");

    [Fact]
    public void CMP0107_JsonPathWithAnEmptySegment() => Verify(Usings + """
        [Record(Format = RecordFormat.Json)]
        public partial struct Trade
        {
            [[|Column("user..id")|]] public long Id;
        }
        """,
        "CMP0107",
        "Column \"user..id\" of 'Id' of record 'Trade' is not a JSON path: a name between dots is empty; write names separated by single dots, as \"user.id\"");

    [Fact]
    public void CMP0107_JsonPathBothAValueAndAnObject() => Verify(Usings + """
        [Record(Format = RecordFormat.Json)]
        public partial struct Trade
        {
            [[|Column("user")|]] public long User;
            [Column("user.id")] public long Id;
        }
        """,
        "CMP0107",
        "Column \"user\" of 'User' of record 'Trade' is not a JSON path: it names a value, and 'user.id' reads into it as into an object; rename one of them");

    [Fact]
    public void CMP0107_ACsvRecordReadAsJsonBySource_WithAColumnThatIsNoPath() => Verify(Usings + """
        using System;

        [Record]
        public partial struct Trade
        {
            [Column("a..b")] public long Id;
        }

        [Pipeline]
        public static partial class Job
        {
            [Source(Format = [|RecordFormat.Json|])]
            public static partial Lines<Trade> Trades();

            [Sink]
            public static partial void Output(Trade trade);
        }
        """,
        "CMP0107",
        "Column \"a..b\" of 'Id' of record 'Trade' is not a JSON path: a name between dots is empty; write names separated by single dots, as \"user.id\", or read Trades as CSV");

    [Fact]
    public void CMP0009_FormatOnASourceThatIsNoRecord() => Verify(Usings + """
        [Pipeline]
        public static partial class Job
        {
            [Source(Format = [|RecordFormat.Json|])]
            public static partial Lines<long> Numbers();

            [Sink]
            public static partial void Output(long number);
        }
        """,
        "CMP0009",
        "Source 'Numbers' must be declared 'public static partial Lines Numbers();', without parameters or a body: Format says how a [Record] struct is read, and 'long' is not one; declare the type [Record], or remove Format");
}
