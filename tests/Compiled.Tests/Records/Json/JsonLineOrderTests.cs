using System.Text;
using Compiled.Connectors;

namespace Compiled.Tests.Records.Json;

/// <summary>
/// Lines whose properties come in orders other than the record's, kept by their writer for runs of lines: each name
/// compared with the one the reader learned comes next, whatever its length, with white space, unknown names that begin
/// like the record's, and values short enough that a name's words reach past the end of the line.
/// </summary>
public class JsonLineOrderTests
{
    private static readonly string[] Names = ["a", "bcdef", "ghijkl", "mnopqrstuvwxy", "zzzzzzzzzzzzzz", "ünïcødé", "a name of thirty bytes, spaced"];

    // Unknown names that a comparison of too few bytes, or of the wrong ones, would take for a record's.
    private static readonly string[] Strangers = ["ab", "", "bcde", "bcdefg", "ghijk", "ghijklm", "mnopqrstuvwx", "mnopqrstuvwxyz", "zzzzzzzzzzzzz", "zzzzzzzzzzzzzzz", "ünïcød", "a name of thirty bytes, space"];

    [Fact]
    public void RunsOfLinesInFixedOrders_ReadEveryMember_WhateverTheLengthOfItsName()
    {
        var random = new Random(20261206);
        var reader = new JsonRecordReader(JsonNameLengths.JsonLayout, "Lengths", new SourceCounters());
        int[] order = [.. Enumerable.Range(0, Names.Length)];
        int read = 0;
        int refused = 0;
        for (int line = 0, run = 0; line < 20_000; line++, run--)
        {
            if (run <= 0)
            {
                random.Shuffle(order);
                run = random.Next(1, 40);
            }

            // The writer's order; now and then white space, a stranger, a member twice or one missing.
            bool spaced = random.Next(8) == 0;
            bool strangers = random.Next(8) == 0;
            int missing = random.Next(30) == 0 ? random.Next(Names.Length) : -1;
            var expected = new long[Names.Length];
            var text = new StringBuilder("{");
            foreach (int member in order)
            {
                if (strangers && random.Next(3) == 0)
                {
                    Property(text, Strangers[random.Next(Strangers.Length)], random.Next(10).ToString(), spaced ? random : null);
                }

                if (member == missing)
                {
                    continue;
                }

                int times = random.Next(20) == 0 ? 2 : 1;
                for (int t = 0; t < times; t++)
                {
                    // Values of one digit and more: the last property's name then ends a few bytes before the line does.
                    expected[member] = random.Next(3) == 0 ? random.Next(10) : random.NextInt64(-1_000_000_000_000, 1_000_000_000_000);
                    Property(text, Names[member], expected[member].ToString(), spaced ? random : null);
                }
            }

            text.Append(spaced && random.Next(2) == 0 ? " }" : "}");
            bool ok = JsonNameLengths.TryReadJson(reader, Encoding.UTF8.GetBytes(text.ToString()), out JsonNameLengths record);
            Assert.True(ok == (missing < 0), $"Line {line}: {text}");
            if (!ok)
            {
                refused++;
                continue;
            }

            read++;
            long[] actual = [record.A, record.Five, record.Six, record.Thirteen, record.Fourteen, record.Unicode, record.Thirty];
            Assert.True(expected.SequenceEqual(actual), $"Line {line}: {text}\nread {string.Join(",", actual)}");
        }

        Assert.InRange(refused, 300, 1000);
        Assert.Equal(20_000 - refused, read);
    }

    // One property after the others: a comma but before the first, the name and the value, with white space around
    // each when a random is given.
    private static void Property(StringBuilder text, string name, string value, Random? spaces)
    {
        string Space() => spaces is null ? "" : spaces.Next(3) switch { 0 => "", 1 => " ", _ => "\t " };
        if (text.Length > 1)
        {
            text.Append(Space()).Append(',');
        }

        text.Append(Space()).Append('"').Append(name).Append('"').Append(Space()).Append(':').Append(Space()).Append(value);
    }
}
