namespace Compiled;

/// <summary>
/// How many records of one source were refused at one place for one reason: by the source's parser (a
/// <see cref="Field"/>, or neither field nor stage for a problem of the whole row) or by a stage that threw
/// (<see cref="Stage"/>, the reason being the exception's type).
/// </summary>
/// <param name="Source">The source the records came from.</param>
/// <param name="Stage">The stage that threw on them, or <see langword="null"/> for records refused by the source's parser.</param>
/// <param name="Field">The record's field (member) that did not parse, or <see langword="null"/>.</param>
/// <param name="Reason">
/// The reason code: a <see cref="BadRecordReason"/> name (<c>NumberInvalid</c>) for a record that did not parse, the
/// exception's type name (<c>FormatException</c>) for one a stage threw on.
/// </param>
/// <param name="Count">How many.</param>
public sealed record BadRecordCount(string Source, string? Stage, string? Field, string Reason, long Count)
{
    /// <summary>The count as the batch warning writes it: <c>Trades.Quantity NumberInvalid 3</c>, <c>Trades [Parse] FormatException 2</c>.</summary>
    public override string ToString() =>
        Source + (Stage is null ? "" : $" [{Stage}]") + (Field is null ? "" : "." + Field) + " " + Reason + " " + Count;
}
