using Compiled;
using System.Diagnostics.CodeAnalysis;

namespace Samples.Nexmark.Queries;

/// <summary>
/// A person, read from its CSV line <c>id,name,email,creditCard,city,state,dateTime</c>: the fields the queries use.
/// The e-mail address and the credit card are checked to be there and skipped; the name, the city and the state are
/// decoded (a string each, the one allocation of the parse). It prints as <c>id,name,city,state,dateTime</c>.
/// </summary>
/// <param name="Id">The person's id.</param>
/// <param name="Name">The person's name.</param>
/// <param name="City">The city the person lives in.</param>
/// <param name="State">The (US) state the person lives in, two letters.</param>
/// <param name="DateTime">The event time of the registration, in Unix milliseconds.</param>
public readonly record struct Person(long Id, string Name, string City, string State, long DateTime) : IUtf8SpanParsable<Person>
{
    /// <summary>Parses a person's line; a line that is not one is counted as malformed by the source and skipped.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, [MaybeNullWhen(false)] out Person result)
    {
        int at = 0;
        if (!Utf8Fields.TryInt64(utf8Text, ref at, false, out long id)
            || !Utf8Fields.TryString(utf8Text, ref at, false, out string name)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryCut(utf8Text, ref at, false, out _)
            || !Utf8Fields.TryString(utf8Text, ref at, false, out string city)
            || !Utf8Fields.TryString(utf8Text, ref at, false, out string state)
            || !Utf8Fields.TryInt64(utf8Text, ref at, true, out long dateTime))
        {
            result = default;
            return false;
        }

        result = new Person(id, name, city, state, dateTime);
        return true;
    }

    /// <summary>Parses a person's line, or throws a <see cref="FormatException"/> that shows it.</summary>
    public static Person Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider) =>
        TryParse(utf8Text, provider, out Person person)
            ? person
            : throw new FormatException($"'{System.Text.Encoding.UTF8.GetString(utf8Text)}' is not a person; write id,name,email,creditCard,city,state,dateTime with whole numbers for the id and the time.");

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Id},{Name},{City},{State},{DateTime}");
}
