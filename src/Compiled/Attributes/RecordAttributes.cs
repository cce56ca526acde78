namespace Compiled;

/// <summary>
/// Declares a record: a <c>partial struct</c> (or <c>partial record struct</c>) whose parsers are generated at build
/// time, CSV (<c>TryReadCsv</c>) and JSON lines (<c>TryReadJson</c>). A source declared <c>Lines&lt;T&gt;</c> of such a
/// struct reads its input in the record's <see cref="Format"/> (CSV, RFC 4180, unless it says otherwise, or unless the
/// source's <see cref="SourceAttribute.Format"/> overrides it) and hands its first stage the parsed struct. Each public
/// instance field or settable property is a column (a JSON property), in declaration order, unless
/// <see cref="ColumnAttribute"/> says otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class RecordAttribute : Attribute
{
    /// <summary>How a source of the record reads each line: <see cref="RecordFormat.Csv"/> (the default) or <see cref="RecordFormat.Json"/>. A source may read it otherwise with <see cref="SourceAttribute.Format"/>.</summary>
    public RecordFormat Format { get; set; } = RecordFormat.Csv;

    /// <summary>The byte between fields: <c>','</c> by default; <c>';'</c>, <c>'\t'</c>, <c>'|'</c> and any other ASCII character but a quote, <c>\r</c> or <c>\n</c>.</summary>
    public char Separator { get; set; } = ',';

    /// <summary>Whether each stream (file, connection) starts with a header row, and whether columns are found in it by name.</summary>
    public RecordHeader Header { get; set; } = RecordHeader.Names;

    /// <summary>
    /// Whether a quoted CSV field may hold a newline, so that a record may span lines (RFC 4180; the default). Set it to
    /// <see langword="false"/> when every record is one line (Spark's <c>multiLine</c> off): a line whose quote is not
    /// closed on it is then refused as <see cref="BadRecordReason.UnterminatedQuote"/>, and a file can be split into byte
    /// ranges at line ends, so that a source of the record is read on N partitions (with <see cref="Header"/>
    /// <see cref="RecordHeader.None"/> or <see cref="RecordHeader.Skip"/>: a header of names is in the first range only).
    /// </summary>
    public bool MultiLine { get; set; } = true;

    /// <summary>
    /// Whether a CSV line is checked in every column (the default): a line with more fields than the record's columns, or
    /// too few for a required member, is refused whether or not a stage of the pipeline reads the columns in question.
    /// Set it to <see langword="false"/>, with <see cref="MultiLine"/> <see langword="false"/>, to check only the columns
    /// the pipeline's stages read (Spark's CSV column pruning: a row is malformed only when a column it reads is): a
    /// column no stage reads is then not looked at (not its value, not whether the line has it, not whether the line has
    /// more), so each line's end is found without counting its fields, and its bytes past the last column read are not
    /// read again. A line is still refused for a column a stage reads that is missing or does not parse, and for a quote
    /// left open.
    /// </summary>
    public bool CheckUnreadColumns { get; set; } = true;

    /// <summary>What a record that does not parse does: counted and skipped (the default), written to the dead-letter sink too, or the end of the job.</summary>
    public BadRecordPolicy OnBadRecord { get; set; } = BadRecordPolicy.Skip;
}

/// <summary>How the lines of a <see cref="RecordAttribute"/> source are read.</summary>
public enum RecordFormat
{
    /// <summary>CSV (RFC 4180): fields separated by <see cref="RecordAttribute.Separator"/>, found by the header row's names or by position.</summary>
    Csv = 0,

    /// <summary>JSON lines: each line is one JSON object, whose properties are found by name (or by a dotted path into nested objects), in any order.</summary>
    Json = 1,
}

/// <summary>How the first row of each stream of a <see cref="RecordAttribute"/> source is read.</summary>
public enum RecordHeader
{
    /// <summary>The first row names the columns; each field is found by its column name (the member's name unless <see cref="ColumnAttribute.Name"/> gives one), in any order, compared ignoring ASCII case.</summary>
    Names = 0,

    /// <summary>The first row is a header that is skipped; fields are found by position (declaration order, or <see cref="ColumnAttribute.Index"/>).</summary>
    Skip = 1,

    /// <summary>There is no header row; every row is a record, and fields are found by position.</summary>
    None = 2,
}

/// <summary>What a source does with a record that does not parse.</summary>
public enum BadRecordPolicy
{
    /// <summary>Count it (in the batch's <c>Malformed</c> total and per <see cref="BadRecordReason"/>) and go on with the next record.</summary>
    Skip = 0,

    /// <summary>Stop the job with a <see cref="BadRecordException"/> that names the source, stream, line, field and reason.</summary>
    Fail = 1,

    /// <summary>
    /// Count it as <see cref="Skip"/> does, and write it, raw, with where it came from and why it was refused, to the run's
    /// dead-letter sink (<c>--dead-letters</c>, or a file next to the checkpoint). A run without a dead-letter sink counts
    /// and skips it, and each batch's warning says how many asked for a dead letter and how to keep them.
    /// </summary>
    DeadLetter = 2,
}

/// <summary>The words a policy is written with on a command line and in a URI: <c>fail</c>, <c>skip</c>, <c>dead-letter</c>.</summary>
public static class BadRecordPolicyText
{
    /// <summary>The words, as a message lists them.</summary>
    public const string Words = "fail, skip or dead-letter";

    /// <summary>The policy <paramref name="text"/> names (in any case; <c>deadletter</c> too), or <see langword="null"/>.</summary>
    public static BadRecordPolicy? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "fail" => BadRecordPolicy.Fail,
        "skip" => BadRecordPolicy.Skip,
        "dead-letter" or "deadletter" => BadRecordPolicy.DeadLetter,
        _ => null,
    };
}

/// <summary>
/// Says how one field or property of a <see cref="RecordAttribute"/> struct is read: which column, in which format, and
/// what it is when its column is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
public sealed class ColumnAttribute : Attribute
{
    /// <summary>
    /// Names the column as the header row writes it; in JSON lines, the property's name, or a path of names separated by
    /// dots into nested objects (<c>"user.id"</c> reads the property <c>id</c> of the object <c>user</c>).
    /// </summary>
    public ColumnAttribute(string name) => Name = name;

    /// <summary>Keeps the member's name as the column name (to give an <see cref="Index"/>, a <see cref="Format"/> or a <see cref="Default"/>).</summary>
    public ColumnAttribute()
    {
    }

    /// <summary>The column's name in the header row; the member's name when <see langword="null"/>.</summary>
    public string? Name { get; }

    /// <summary>The column's zero-based position; when set, the column is found by position even under <see cref="RecordHeader.Names"/>. -1 (the default) for the member's place.</summary>
    public int Index { get; set; } = -1;

    /// <summary>
    /// For a <see cref="DateTime"/> or <see cref="DateTimeOffset"/>: a .NET exact format (<c>yyyy-MM-dd HH:mm:ss</c>),
    /// <c>unix</c> (seconds since 1970-01-01 UTC) or <c>unixms</c> (milliseconds); ISO 8601 when <see langword="null"/>.
    /// </summary>
    public string? Format { get; set; }

    /// <summary>
    /// Makes the column optional: the text read in place of a field whose column is missing from the row or the header,
    /// or (for a field that is not text) empty. <see langword="null"/> (the default) for a required column.
    /// </summary>
    public string? Default { get; set; }
}
