using System.Runtime.CompilerServices;

namespace Compiled;

/// <summary>
/// Refuses a line of a typed source (<c>Lines&lt;T&gt;</c> of a number, a date, a tuple of them) whose field did not
/// parse, under the source's declared policy (<c>[Source(OnBadRecord = ...)]</c>): the generated loop calls it where a
/// field's reader said no, and it finds the reason by reading the line again, which only a bad line pays for.
/// </summary>
public static class TypedLineRefusal
{
    /// <summary>Refuses <paramref name="line"/>, whose field <paramref name="field"/> (0-based, of <paramref name="fields"/>) did not parse.</summary>
    /// <param name="source">The source's refusal point.</param>
    /// <param name="policy">The source's policy.</param>
    /// <param name="line">The line, as read.</param>
    /// <param name="field">The field that did not parse, 0-based.</param>
    /// <param name="fields">How many fields the record has: 1 for a single value, a tuple's arity otherwise.</param>
    /// <param name="numeric">Whether the field is a number.</param>
    /// <exception cref="BadRecordException">The policy is <see cref="BadRecordPolicy.Fail"/>.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Refuse(BadRecordSource source, BadRecordPolicy policy, ReadOnlySpan<byte> line, int field, int fields, bool numeric)
    {
        ArgumentNullException.ThrowIfNull(source);
        policy = source.PolicyOver(policy);
        string? name = fields == 1 ? null : FieldName(field);
        int commas = line.Count((byte)',');
        if (fields > 1 && commas != fields - 1)
        {
            source.Refuse(policy, BadRecordReason.WrongFieldCount, null, policy == BadRecordPolicy.Skip ? "" : $"the line has {commas + 1} fields, not {fields}", line);
            return;
        }

        // The field's text: the field'th comma-separated part (the whole line for a single value).
        ReadOnlySpan<byte> rest = line;
        for (int i = 0; i < field && fields > 1; i++)
        {
            rest = rest[(rest.IndexOf((byte)',') + 1)..];
        }

        int end = fields > 1 ? rest.IndexOf((byte)',') : -1;
        ReadOnlySpan<byte> text = (end < 0 ? rest : rest[..end]).Trim((byte)' ');
        BadRecordReason reason = !numeric ? BadRecordReason.InvalidValue
            : Utf8Fields.IsIntegerText(text) ? BadRecordReason.NumberOutOfRange
            : BadRecordReason.NumberInvalid;
        if (!numeric && !System.Text.Unicode.Utf8.IsValid(text))
        {
            reason = BadRecordReason.InvalidUtf8;
        }

        // Under Skip the words are never read: a flood of bad lines formats nothing.
        source.Refuse(policy, reason, name, policy == BadRecordPolicy.Skip ? "" : $"'{BadRecordSource.Excerpt(text)}' cannot be read as field {field + 1} of {fields}", line);
    }

    // A tuple field's name, made once per field number (a tuple has at most a few).
    private static readonly string[] FieldNames = [.. Enumerable.Range(1, 16).Select(i => "Item" + i)];

    private static string FieldName(int field) => field < FieldNames.Length ? FieldNames[field] : "Item" + (field + 1);
}
