namespace Compiled;

/// <summary>
/// What the generated JSON-lines parser of a <see cref="RecordAttribute"/> struct tells its source's
/// <see cref="JsonRecordReader"/>: the record's name, the policy for bad records, each member's name and path (for
/// messages), and whether a member is <see cref="Utf8Text"/>. The generator emits one per record type, as the struct's
/// static <c>JsonLayout</c>.
/// </summary>
public sealed class JsonLayout
{
    /// <summary>Creates a layout (the generator does this).</summary>
    /// <param name="record">The record type's name, for messages.</param>
    /// <param name="onBadRecord">What a record that does not parse does.</param>
    /// <param name="members">Each member's name, in declaration order.</param>
    /// <param name="paths">Each member's property path: a name, or names separated by dots into nested objects.</param>
    /// <param name="keepsText">Whether a member is <see cref="Utf8Text"/>, which needs the line in the reader's buffer.</param>
    public JsonLayout(string record, BadRecordPolicy onBadRecord, string[] members, string[] paths, bool keepsText)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(paths);
        Record = record;
        OnBadRecord = onBadRecord;
        Members = members;
        Paths = paths;
        KeepsText = keepsText;
    }

    /// <summary>The record type's name.</summary>
    public string Record { get; }

    /// <summary>What a record that does not parse does.</summary>
    public BadRecordPolicy OnBadRecord { get; }

    /// <summary>Each member's name.</summary>
    public string[] Members { get; }

    /// <summary>Each member's property path.</summary>
    public string[] Paths { get; }

    /// <summary>Whether a member is text cut from the line.</summary>
    public bool KeepsText { get; }
}
