using Compiled.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace Compiled.Generators.Records
{
    /// <summary>How a record member's field becomes its value: the <c>CsvValues</c> reader, or text, or an enum's names.</summary>
    internal enum MemberKind
    {
        /// <summary>Read by the <c>CsvValues</c> method named in <see cref="RecordMember.Reader"/>.</summary>
        Value,

        /// <summary>A date or time, read by the <c>CsvValues</c> method in <see cref="RecordMember.Reader"/> with the member's format.</summary>
        Time,

        /// <summary><c>Utf8Text</c>: a slice of the reader's buffer.</summary>
        Text,

        /// <summary>An enum, read by its members' names.</summary>
        Enum,
    }

    /// <summary>
    /// One column of a record: the member it sets and how its field is read. <see cref="TypeCode"/> is the type the field
    /// is read as: for a nullable member (<see cref="Nullable"/>), the struct it wraps, which is null when the field is
    /// missing or empty (CSV) or missing or null (JSON).
    /// </summary>
    internal sealed record RecordMember(
        string Name, string TypeCode, MemberKind Kind, string? Reader, string Column, int Index, bool ByPosition, string? Format,
        string? Default, EquatableArray<string> EnumNames, bool Nullable = false);

    /// <summary>
    /// A <c>[Record]</c> struct: where it is declared and its columns, all values, so the emit step re-runs only when one
    /// changes. <see cref="Json"/> is whether its columns are JSON paths (no empty segment, no path both a value and an
    /// object), so that its JSON-lines parser is generated too. <see cref="MultiLine"/>: whether a quoted CSV field may
    /// hold a newline (<c>[Record(MultiLine = false)]</c>: every line is a record). <see cref="CheckUnreadColumns"/>: whether
    /// a CSV line is checked in the columns no stage reads too (<c>[Record(CheckUnreadColumns = false)]</c>, one-line
    /// records only: not).
    /// </summary>
    internal sealed record RecordModel(
        string? Namespace, EquatableArray<string> Containers, string Keyword, string Name, string FullName, string HintName, char Separator,
        int Header, int OnBadRecord, EquatableArray<RecordMember> Members, bool Json, bool MultiLine = true, bool CheckUnreadColumns = true);

    /// <summary>What the parse step yields for one record: its model (null if it cannot be generated) and its diagnostics.</summary>
    internal sealed record RecordResult(RecordModel? Model, EquatableArray<Diagnostic> Diagnostics);
}
