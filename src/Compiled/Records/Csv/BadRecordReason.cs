namespace Compiled;

/// <summary>Why a record was refused at its source. The README's "Records" section lists them with examples.</summary>
public enum BadRecordReason
{
    /// <summary>No problem.</summary>
    None = 0,

    /// <summary>The row has more fields than the header (or the record's columns), or fewer and a missing one is required.</summary>
    WrongFieldCount = 1,

    /// <summary>A required column is not in the stream's header row.</summary>
    MissingColumn = 2,

    /// <summary>A number field is not a number of its type: <c>12x</c>, empty, <c>1.5</c> for an integer.</summary>
    NumberInvalid = 3,

    /// <summary>A number field is a number, but does not fit its type: <c>300</c> for a <see cref="byte"/>.</summary>
    NumberOutOfRange = 4,

    /// <summary>A quote where none may be: inside an unquoted field, or after a closing quote other than before a separator (<c>"a"b</c>).</summary>
    BadQuote = 5,

    /// <summary>A quoted field is not closed before the end of its stream, or runs on past the longest record allowed.</summary>
    UnterminatedQuote = 6,

    /// <summary>A text field is not valid UTF-8.</summary>
    InvalidUtf8 = 7,

    /// <summary>A field of another type (boolean, enum, date, time, Guid) does not hold a value of it in its format; in JSON lines, a value of the wrong kind (a string for a number, an object for a string).</summary>
    InvalidValue = 8,

    /// <summary>A JSON line is not one well-formed JSON object: a syntax error, content after the object, or another value (an array, a number) at its top.</summary>
    InvalidJson = 9,
}
