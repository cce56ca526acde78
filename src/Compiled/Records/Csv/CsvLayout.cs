using System.Text;

namespace Compiled;

/// <summary>
/// What the generated parser of a <see cref="RecordAttribute"/> struct tells its source's <see cref="CsvRecordReader"/>:
/// the separator, the header row, the policy for bad records, and for each member its column (by name or position),
/// whether it is optional and how it is named in messages. The generator emits one per record type, as the struct's
/// static <c>CsvLayout</c>.
/// </summary>
public sealed class CsvLayout
{
    /// <summary>Creates a layout (the generator does this).</summary>
    /// <param name="record">The record type's name, for messages.</param>
    /// <param name="separator">The byte between fields.</param>
    /// <param name="header">How the first row of each stream is read.</param>
    /// <param name="onBadRecord">What a record that does not parse does.</param>
    /// <param name="members">Each member's name, in declaration order.</param>
    /// <param name="columns">Each member's column name in the header row.</param>
    /// <param name="indexes">Each member's column by position: its declared index, or its place among the members.</param>
    /// <param name="byPosition">Whether each member's index was declared, so it is found by position even under <see cref="RecordHeader.Names"/>.</param>
    /// <param name="optional">Whether each member has a default or is nullable, and so may be missing.</param>
    /// <param name="keepsText">Whether a member is <see cref="Utf8Text"/>, which needs the record in the reader's buffer.</param>
    /// <param name="multiLine">Whether a quoted field may hold a newline, so that a record may span lines (<see cref="RecordAttribute.MultiLine"/>).</param>
    /// <param name="checkUnreadColumns">Whether a row is checked in the columns no stage reads too (<see cref="RecordAttribute.CheckUnreadColumns"/>).</param>
    public CsvLayout(string record, char separator, RecordHeader header, BadRecordPolicy onBadRecord, string[] members, string[] columns,
        int[] indexes, bool[] byPosition, bool[] optional, bool keepsText, bool multiLine = true, bool checkUnreadColumns = true)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (separator is '"' or '\r' or '\n' or > '\x7f')
        {
            throw new ArgumentOutOfRangeException(nameof(separator), separator, "A CSV separator is an ASCII character other than a quote, \\r or \\n.");
        }

        Record = record;
        Separator = (byte)separator;
        Header = header;
        OnBadRecord = onBadRecord;
        Members = members;
        Columns = columns;
        ColumnsUtf8 = Array.ConvertAll(columns, Encoding.UTF8.GetBytes);
        Indexes = indexes;
        ByPosition = byPosition;
        Optional = optional;
        KeepsText = keepsText;
        MultiLine = multiLine;
        CheckUnreadColumns = checkUnreadColumns || multiLine;
        int width = 0;
        foreach (int index in indexes)
        {
            width = Math.Max(width, index + 1);
        }

        Width = width;
    }

    /// <summary>The record type's name.</summary>
    public string Record { get; }

    /// <summary>The byte between fields.</summary>
    public byte Separator { get; }

    /// <summary>How the first row of each stream is read.</summary>
    public RecordHeader Header { get; }

    /// <summary>What a record that does not parse does.</summary>
    public BadRecordPolicy OnBadRecord { get; }

    /// <summary>Each member's name.</summary>
    public string[] Members { get; }

    /// <summary>Each member's column name.</summary>
    public string[] Columns { get; }

    internal byte[][] ColumnsUtf8 { get; }

    /// <summary>Each member's column by position.</summary>
    public int[] Indexes { get; }

    /// <summary>Whether each member's position was declared.</summary>
    public bool[] ByPosition { get; }

    /// <summary>Whether each member may be missing.</summary>
    public bool[] Optional { get; }

    /// <summary>Whether a member is text cut from the record.</summary>
    public bool KeepsText { get; }

    /// <summary>Whether a quoted field may hold a newline; when not, every line is a record, and a file may be split at any line end.</summary>
    public bool MultiLine { get; }

    /// <summary>
    /// Whether a row is checked in every column, read or not: when not (a one-line record declared
    /// <see cref="RecordAttribute.CheckUnreadColumns"/> <see langword="false"/>), a row with more fields than the
    /// columns passes, and so does one too short for a member no stage reads.
    /// </summary>
    public bool CheckUnreadColumns { get; }

    /// <summary>The number of fields a row has when there is no header: the highest column by position, plus one.</summary>
    public int Width { get; }
}
