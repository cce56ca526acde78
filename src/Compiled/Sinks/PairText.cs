namespace Compiled.Sinks;

/// <summary>
/// The text a sink is given for a pair, <c>(key,value)</c>, taken apart: for connectors that write a record's key and
/// value to different places (a hash field and its value, a message key and its value).
/// </summary>
public static class PairText
{
    /// <summary>
    /// The index in <paramref name="text"/> of the comma between key and value: the last one outside the value's
    /// parentheses, so that <c>(7,(12,3))</c> is key <c>7</c>, value <c>(12,3)</c>; -1 when the text is not
    /// <c>(key,value)</c>.
    /// </summary>
    public static int CommaIndex(ReadOnlySpan<byte> text)
    {
        if (text.Length < 3 || text[0] != (byte)'(' || text[^1] != (byte)')')
        {
            return -1;
        }

        int depth = 0;
        for (int i = text.Length - 2; i > 0; i--)
        {
            switch (text[i])
            {
                case (byte)')':
                    depth++;
                    break;
                case (byte)'(':
                    depth--;
                    break;
                case (byte)',' when depth == 0:
                    return i;
            }
        }

        return -1;
    }
}
