using System.Globalization;
using System.Text;

namespace Compiled.Tests.Records.Json;

/// <summary>
/// Random JSON lines of <see cref="JsonSample"/>'s properties, as producers write them and as they go wrong: properties
/// in declaration order or shuffled, unknown properties with nested junk, repeated properties, strings with unicode and every escape, numbers
/// at and past their types' limits, values of the wrong kind, missing and null members, and broken JSON.
/// </summary>
internal static class JsonLines
{
    private static readonly string[] Names =
        ["Int64", "Int32", "Int16", "SByte", "UInt64", "UInt32", "UInt16", "Byte", "Double", "Single", "Decimal", "Boolean", "Side", "Time", "Offset", "Id", "Text", "Name"];

    private static readonly string[] Junk =
        ["{}", "[]", "[1,2,[3,{\"a\":null}]]", "{\"Int64\":\"x\",\"deep\":{\"Text\":[true,false]}}", "\"junk\"", "-1.5e-7", "null", "true", "{\"\\u0041\":[{}]}"];

    private static readonly string[] Broken =
        ["{", "}", "[1,2]", "42", "\"text\"", "{\"Int64\":1,}", "{\"Int64\":01}", "{\"Int64\":1} x", "{'Int64':1}", "{\"Int64\":1}{}", "{\"Int64\":+1}", "{\"Int64\":.5}", "{\"Text\":\"a\u0001b\"}", "{\"Text\":\"\\x\"}", "{\"Int64\" 1}"];

    // Whether the line being written is plain: printable ASCII, no escapes (the form the parser's own tokenizer takes
    // without handing the line to Utf8JsonReader). One line in three is.
    private static bool _plain;

    // Whether the line being written keeps the record's declaration order (the order the parser's one-pass read expects;
    // a fault, repeat or unknown member put in at random then sends it back to the general loop mid-line). One line in
    // two does.
    private static bool _ordered;

    // Whether the line being written is in the order its writer keeps for a run of lines, other than the declaration
    // order (the order the parser learns from the line before); one line in three of those not kept in declaration order.
    private static bool _fixedOrder;

    // That order, as the members' names, and how many more lines keep it before another is drawn.
    private static string[] _writerOrder = [];
    private static int _writerOrderLines;

    /// <summary>One line: most are good, some hold a bad value, a missing or null member, or are not JSON at all.</summary>
    public static string Line(Random random)
    {
        _plain = random.Next(3) == 0;
        _ordered = random.Next(2) == 0;
        _fixedOrder = !_ordered && random.Next(3) == 0;
        if (_writerOrderLines-- <= 0)
        {
            _writerOrder = [.. Names];
            Shuffle(_writerOrder, random);
            _writerOrderLines = random.Next(1, 50);
        }
        int kind = random.Next(100);
        if (kind < 3)
        {
            // A good line broken: cut short, or with a byte replaced, or a fixed malformed one.
            string good = Object(random, 0);
            return random.Next(3) switch
            {
                0 => good[..random.Next(1, good.Length)],
                1 => Broken[random.Next(Broken.Length)],
                _ => good.Remove(random.Next(good.Length), 1).Insert(random.Next(good.Length - 1), "\"{}:,]"[random.Next(6)].ToString()),
            };
        }

        return Object(random, kind < 25 ? 1 + random.Next(3) : 0);
    }

    // An object of every member, in random order, with junk between; `faults` members get a bad value or go missing.
    private static string Object(Random random, int faults)
    {
        var properties = new List<string>();
        foreach (string name in _fixedOrder ? _writerOrder : Names)
        {
            properties.Add($"{Key(name, random)}:{Good(name, random)}");
        }

        for (int f = 0; f < faults; f++)
        {
            int at = random.Next(properties.Count);
            string name = Names[random.Next(Names.Length)];
            switch (random.Next(4))
            {
                case 0:
                    // A member missing (if it is there under its own name).
                    properties.RemoveAll(p => p.StartsWith($"\"{name}\":", StringComparison.Ordinal));
                    break;
                case 1:
                    properties.Insert(at, $"{Key(name, random)}:null");
                    break;
                default:
                    // A bad value, possibly repeated after by a good one (the last wins).
                    properties.Insert(at, $"{Key(name, random)}:{Bad(name, random)}");
                    break;
            }
        }

        // Repeated members (the last one wins) and unknown ones with nested junk; in a line kept in the declaration order or
        // the writer's, only in one line of four.
        bool extras = (!_ordered && !_fixedOrder) || random.Next(4) == 0;
        for (int r = extras ? random.Next(3) : 0; r > 0; r--)
        {
            string name = Names[random.Next(Names.Length)];
            properties.Insert(random.Next(properties.Count + 1), $"{Key(name, random)}:{Good(name, random)}");
        }

        for (int u = extras ? random.Next(4) : 0; u > 0; u--)
        {
            properties.Insert(random.Next(properties.Count + 1), $"{String(Text(random), random)}:{Junk[random.Next(Junk.Length)]}");
        }

        if (!_ordered && !_fixedOrder)
        {
            Shuffle(properties, random);
        }

        string space = random.Next(4) == 0 ? " " : "";
        return $"{space}{{{space}{string.Join("," + space, properties)}{space}}}{space}";
    }

    // A property name, sometimes with an escape for one of its letters (the same name to a JSON reader).
    private static string Key(string name, Random random) =>
        !_plain && random.Next(10) == 0 ? $"\"\\u{(int)name[0]:x4}{name[1..]}\"" : $"\"{name}\"";

    private static string Good(string name, Random random) => name switch
    {
        "Int64" => Pick(random, Integer(random, long.MinValue, long.MaxValue), "9223372036854775807", "-9223372036854775808", "0", "-0"),
        "Int32" => Pick(random, Integer(random, int.MinValue, int.MaxValue), "2147483647", "-2147483648"),
        "Int16" => Integer(random, short.MinValue, short.MaxValue),
        "SByte" => Integer(random, sbyte.MinValue, sbyte.MaxValue),
        "UInt64" => Pick(random, ((ulong)random.NextInt64() * 2).ToString(CultureInfo.InvariantCulture), "18446744073709551615", "0"),
        "UInt32" => Integer(random, 0, uint.MaxValue),
        "UInt16" => Integer(random, 0, ushort.MaxValue),
        "Byte" => Integer(random, 0, 255),
        "Double" => Pick(random, Number(random), "1.7976931348623157e308", "5e-324", "1e-400", "-0.0", "0.1", "123456789012345678", "1E+2", "3.14159265358979323846"),
        "Single" => Pick(random, Number(random), "3.4028235e38", "1e-50", "-1.5"),
        "Decimal" => Pick(random, Number(random), "79228162514264337593543950335", "-79228162514264337593543950335", "0.0000000000000000000000000001", "1e-40", "1.5E3"),
        "Boolean" => random.Next(2) == 0 ? "true" : "false",
        "Side" => Pick(random, "\"Buy\"", "\"sell\"", "\"SELL\"", "\"bUY\"", "0", "1", "\"\\u0042uy\""),
        "Time" => Pick(random, "\"2026-03-01T12:00:05Z\"", "\"2026-03-01T12:00:05.1234567\"", "\"2026-03-01\"", "\"0001-01-01T00:00:00\"", "\"9999-12-31T23:59:59.9999999Z\"", "\"2026-03-01T12:00:05\\u002B02:00\""),
        "Offset" => Pick(random, "\"2026-03-01T12:00:05+14:00\"", "\"2026-03-01T12:00:05.5-03:30\"", "\"2026-03-01T00:00:00Z\"", "\"2026-03-01\""),
        "Id" => Pick(random, $"\"{new Guid(Bytes(random, 16))}\"", "\"00000000-0000-0000-0000-000000000000\"", $"\"{new Guid(Bytes(random, 16)).ToString().ToUpperInvariant()}\""),
        _ => String(Text(random), random),
    };

    private static string Bad(string name, Random random) => name switch
    {
        "Int64" => Pick(random, "9223372036854775808", "-9223372036854775809", "1.5", "1e3", "\"12\"", "true", "{}"),
        "Int32" => Pick(random, "2147483648", "1.0", "\"1\"", "[]"),
        "Int16" => Pick(random, "32768", "-32769", "2.5"),
        "SByte" => Pick(random, "128", "-129"),
        "UInt64" => Pick(random, "18446744073709551616", "-1", "1.5"),
        "UInt32" => Pick(random, "4294967296", "-1"),
        "UInt16" => Pick(random, "65536", "-1"),
        "Byte" => Pick(random, "256", "-1", "1e2"),
        "Double" => Pick(random, "1e309", "-1e400", "\"1.5\"", "\"NaN\"", "false"),
        "Single" => Pick(random, "3.5e38", "\"1\""),
        "Decimal" => Pick(random, "79228162514264337593543950336", "1e30", "\"1\""),
        "Boolean" => Pick(random, "\"true\"", "1", "0", "null1"),
        "Side" => Pick(random, "\"Hold\"", "\"\"", "1.5", "true", "{}"),
        "Time" => Pick(random, "\"2026-13-01T00:00:00Z\"", "\"yesterday\"", "5", "\"2026-03-01T25:00:00Z\""),
        "Offset" => Pick(random, "\"2026-02-30T00:00:00Z\"", "7"),
        "Id" => Pick(random, "\"0f8fad5bd9cb469fa16570867728950e\"", "\"{0f8fad5b-d9cb-469f-a165-70867728950e}\"", "\"xyz\"", "1"),
        _ => Pick(random, "5", "true", "[\"a\"]", "{\"a\":1}", "\"\\ud800\"", "\"\\udc00x\""),
    };

    // Text of ASCII, Latin, CJK, astral characters, quotes, backslashes and control characters.
    private static string Text(Random random)
    {
        string[] pieces = _plain ? ["a", "Z", "7", " ", "/", "~", "", "AAPL", "{", "}", ",", ":", "[", "]"]
            : ["a", "Z", "7", " ", "é", "日本", "𝄞", "\"", "\\", "/", "\n", "\t", "\u0001", "\u007f", "\u2028", "ß", "", "AAPL"];
        var text = new StringBuilder();
        for (int i = random.Next(8); i > 0; i--)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        return text.ToString();
    }

    // A JSON string of the text, each character written plain or as an escape (\n, \", \uXXXX), as JSON allows.
    private static string String(string text, Random random)
    {
        var json = new StringBuilder("\"");
        bool escapeLow = false;
        foreach (char c in text)
        {
            // The two halves of a surrogate pair are written alike: both plain, or both escaped.
            bool mustEscape = c is '"' or '\\' || c < ' ' || (char.IsLowSurrogate(c) && escapeLow);
            bool plain = !mustEscape && (char.IsLowSurrogate(c) || _plain || random.Next(8) != 0);
            escapeLow = char.IsHighSurrogate(c) && !plain;
            if (plain)
            {
                json.Append(c);
                continue;
            }

            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => random.Next(2) == 0 ? "\\\\" : "\\u005c",
                '\n' => "\\n",
                '\t' => "\\t",
                '/' => "\\/",
                _ => $"\\u{(int)c:X4}",
            });
        }

        return json.Append('"').ToString();
    }

    private static string Integer(Random random, long min, long max) =>
        (random.Next(3) == 0 ? random.NextInt64(-10, 10) : random.NextInt64(min, max)).ToString(CultureInfo.InvariantCulture) is var text
            && long.Parse(text, CultureInfo.InvariantCulture) is var value && value >= min && value <= max ? text : "0";

    private static string Number(Random random) => random.Next(4) switch
    {
        0 => (random.NextDouble() * 1000).ToString("F2", CultureInfo.InvariantCulture),
        1 => (random.NextDouble() * Math.Pow(10, random.Next(-20, 20))).ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal),
        2 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
        _ => "-" + (random.NextDouble() * 1e6).ToString("F6", CultureInfo.InvariantCulture),
    };

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static void Shuffle(IList<string> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
