using Compiled.Generators.Helpers;

namespace Compiled.Generators.Records
{
    /// <summary>How a value is written as a CSV field or a JSON value.</summary>
    internal enum WriterKind
    {
        /// <summary><c>ReadOnlySpan&lt;byte&gt;</c>: UTF-8 text.</summary>
        Bytes,

        /// <summary><c>Utf8Text</c>: UTF-8 text, through its <c>Span</c>.</summary>
        Text,

        /// <summary>A <c>string</c> or a <c>char</c>, encoded as UTF-8.</summary>
        String,

        /// <summary><c>true</c> or <c>false</c>.</summary>
        Boolean,

        /// <summary>An integer or a decimal: its exact invariant text, a bare JSON number.</summary>
        Number,

        /// <summary>A <c>double</c> or <c>float</c>: the shortest text that reads back as the same number.</summary>
        Float,

        /// <summary>A <c>DateTime</c> or <c>DateTimeOffset</c>: ISO 8601 (<c>"O"</c>) unless the member's <c>[Column(Format)]</c> says otherwise.</summary>
        Time,

        /// <summary>A value whose invariant text never needs quoting or escaping (a <c>Guid</c>, "D"): written as it formats.</summary>
        Plain,

        /// <summary>Any other <c>IUtf8SpanFormattable</c>: its invariant text, quoted or escaped as needed.</summary>
        Formattable,

        /// <summary>An enum: by its member's name (a value no member has, by its number).</summary>
        Enum,

        /// <summary>A <c>Nullable&lt;T&gt;</c>: an empty CSV field or JSON <c>null</c> when it has no value, else its one child.</summary>
        Nullable,

        /// <summary>A tuple: its elements, flattened in CSV (<c>value.Item1</c>) and nested in JSON.</summary>
        Tuple,

        /// <summary>A <c>[Record]</c> struct: its members' columns in column order, flattened in CSV and nested in JSON.</summary>
        Record,

        /// <summary>A column of a <c>[Record]</c> that no member fills (a gap between declared indexes): an empty CSV field, absent in JSON.</summary>
        Empty,

        /// <summary>Anything else: its <c>ToString()</c> (which allocates), quoted or escaped as needed.</summary>
        Object,
    }

    /// <summary>
    /// One value as the generated CSV and JSON writers write it: its column name (empty for an unnamed tuple element, named
    /// by its place), the member access that reads it from its parent (<c>.Item2</c>, <c>.Price</c>), how it is written,
    /// and, for tuples, records and nullables, the values it is made of.
    /// </summary>
    /// <param name="Name">The column name, or empty for an unnamed tuple element.</param>
    /// <param name="Access">The member access from the parent value, or empty at the top.</param>
    /// <param name="Kind">How it is written.</param>
    /// <param name="TypeCode">Its type, fully qualified.</param>
    /// <param name="Format">A time's format (null for ISO 8601, <c>unix</c>, <c>unixms</c> or a .NET format); an enum's underlying type; for a record, <see cref="RecordWriterFields.NoHeader"/> when it is read without a header row.</param>
    /// <param name="Separator">A record's CSV separator.</param>
    /// <param name="EnumNames">An enum's member names, one per distinct value, in declaration order.</param>
    /// <param name="Children">The values a tuple, record or nullable is made of.</param>
    internal sealed record WriterField(
        string Name, string Access, WriterKind Kind, string TypeCode, string? Format, char Separator,
        EquatableArray<string> EnumNames, EquatableArray<WriterField> Children)
    {
        /// <summary>The same value under another column name.</summary>
        public WriterField Named(string name, string access) => this with { Name = name, Access = access };
    }

    /// <summary>A <c>[Record]</c> struct's writers: where it is declared and its columns.</summary>
    internal sealed record RecordWriterModel(
        string? Namespace, EquatableArray<string> Containers, string Keyword, string Name, string HintName, WriterField Record);
}
