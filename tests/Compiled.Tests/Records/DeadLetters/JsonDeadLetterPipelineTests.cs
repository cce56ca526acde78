using System.Globalization;
using System.Text;
using System.Text.Json;
using Compiled.Batching;
using Compiled.Hosting;
using Compiled.Tests.Connectors;
using Compiled.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records.DeadLetters;

/// <summary>
/// Bad records of a JSON-lines source end to end: a file with about 1% lines that do not parse, read under the source's
/// <c>OnBadRecord = DeadLetter</c> on one partition and on two. The output is the reference over the good lines, and
/// the dead-letter file holds exactly the bad lines as they are in the file, each with its reason, field, byte offset
/// and (where the partition read its file from the start) line; on two partitions the same letters, in another order.
/// </summary>
public class JsonDeadLetterPipelineTests
{
    // Lines that do not parse, with the reason and field each is refused for.
    private static readonly (byte[] Line, string Reason, string? Field)[] BadLines =
    [
        ("""{"sensor":"north","value":"12","meta":{"scale":2}}"""u8.ToArray(), "InvalidValue", "Value"),
        ("""{"sensor":"north","value":1.5,"meta":{"scale":2}}"""u8.ToArray(), "NumberInvalid", "Value"),
        ("""{"meta":{"scale":2},"value":99999999999999999999,"sensor":"south"}"""u8.ToArray(), "NumberOutOfRange", "Value"),
        ("""  {"sensor":"east","value":1,"meta":{"scale":3000000000}}  """u8.ToArray(), "NumberOutOfRange", "Scale"),
        ("""{"sensor":"west","value":1,"meta":{"scale":2}"""u8.ToArray(), "InvalidJson", null),
        ("""[{"sensor":"west","value":1,"meta":{"scale":2}}]"""u8.ToArray(), "InvalidJson", null),
        ("""{"value":1,"meta":{"scale":2}}"""u8.ToArray(), "MissingColumn", "Sensor"),
        ("""{"sensor":"north","value":1,"meta":null}"""u8.ToArray(), "MissingColumn", "Scale"),
        ("""{"sensor":"\ud800","value":1,"meta":{"scale":2}}"""u8.ToArray(), "InvalidUtf8", "Sensor"),
        ([.. "{\"sensor\":\"s"u8, 0xFF, 0xFE, .. "\",\"value\":1,\"meta\":{\"scale\":2}}"u8], "InvalidUtf8", "Sensor"),
    ];

    private sealed record Expected(long Line, long Offset, byte[] Raw, string Reason, string? Field);

    // A file of 20,000 readings, about 1% lines that do not parse and a few empty ones (skipped, not counted); lines end
    // in \n or \r\n. Returns the file, the reference sums per sensor over the good lines, and the bad lines in file order.
    private static (string Path, Dictionary<string, long> Reference, List<Expected> Bad) WriteReadings(TempDirectory temp)
    {
        var random = new Random(31);
        var file = new List<byte>();
        var reference = new Dictionary<string, long>();
        var bad = new List<Expected>();
        string[] sensors = ["north", "south", "east", "west", "日本", "a \\\"quoted\\\" one"];
        for (int i = 0; i < 20_000; i++)
        {
            long line = i + 1;
            long offset = file.Count;
            byte[] bytes;
            int roll = random.Next(1000);
            if (roll < 10)
            {
                (byte[] badLine, string reason, string? field) = BadLines[random.Next(BadLines.Length)];
                bytes = badLine;
                bad.Add(new Expected(line, offset, bytes, reason, field));
            }
            else if (roll < 13)
            {
                bytes = roll == 10 ? [] : " \t"u8.ToArray();
            }
            else
            {
                int which = random.Next(sensors.Length);
                long value = random.Next(-1000, 100_000);
                int scale = random.Next(1, 10);
                bytes = Encoding.UTF8.GetBytes(random.Next(2) == 0
                    ? string.Create(CultureInfo.InvariantCulture, $$$"""{"sensor":"{{{sensors[which]}}}","value":{{{value}}},"meta":{"scale":{{{scale}}},"unit":"mV"}}""")
                    : string.Create(CultureInfo.InvariantCulture, $$$"""{"meta":{"scale":{{{scale}}}},"at":[1,{"x":null}],"value":{{{value}}},"sensor":"{{{sensors[which]}}}"}"""));
                string key = which == 5 ? "a \"quoted\" one" : sensors[which];
                reference[key] = reference.GetValueOrDefault(key) + (value * scale);
            }

            file.AddRange(bytes);
            file.AddRange(i % 3 == 0 ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
        }

        string path = temp.Combine("readings.jsonl");
        File.WriteAllBytes(path, [.. file]);
        return (path, reference, bad);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DeadLetter_OutputIsTheReferenceOverTheGoodLines_AndTheDeadLetterFileHoldsExactlyTheBadOnes(int parallelism)
    {
        using var temp = new TempDirectory();
        (string input, Dictionary<string, long> reference, List<Expected> bad) = WriteReadings(temp);
        Assert.InRange(bad.Count, 150, 250);
        Assert.Null(JsonScaledPerSensor.Definition.SinglePartitionReason);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock, DeadLetters = temp.Combine("letters/dead.jsonl"), Parallelism = parallelism };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/scaled?suffix=txt";
        var progress = new List<BatchProgress>();
        await using var run = new PipelineRun(JsonScaledPerSensor.Definition, options);
        run.BatchCommitted += progress.Add;
        await run.RunToEndAsync(clock);

        Assert.Equal(reference.OrderBy(p => p.Key, StringComparer.Ordinal), ReadTotals(Path.Combine(temp.Path, "out")).OrderBy(p => p.Key, StringComparer.Ordinal));

        // One JSON line per bad line, each with its reason, field, offset and raw bytes (white space and all); on one
        // partition in the file's order, on two in the order the partitions refused them.
        byte[] fileBytes = File.ReadAllBytes(input);
        var letters = File.ReadAllLines(temp.Combine("letters/dead.jsonl")).Select(l =>
        {
            using JsonDocument letter = JsonDocument.Parse(l);
            JsonElement root = letter.RootElement;
            Assert.Equal("Readings", root.GetProperty("source").GetString());
            Assert.Equal(input, root.GetProperty("stream").GetString());
            Assert.False(string.IsNullOrEmpty(root.GetProperty("message").GetString()));
            byte[] raw = root.TryGetProperty("record", out JsonElement text)
                ? Encoding.UTF8.GetBytes(text.GetString()!)
                : root.GetProperty("recordBase64").GetBytesFromBase64();
            return new
            {
                Offset = root.GetProperty("offset").GetInt64(),
                Line = root.TryGetProperty("line", out JsonElement line) ? line.GetInt64() : 0,
                Raw = raw,
                Reason = root.GetProperty("reason").GetString()!,
                Field = root.TryGetProperty("field", out JsonElement field) ? field.GetString() : null,
            };
        }).ToList();
        Assert.Equal(bad.Count, letters.Count);
        if (parallelism == 1)
        {
            Assert.Equal(bad.Select(b => b.Offset), letters.Select(l => l.Offset));
        }

        letters = [.. letters.OrderBy(l => l.Offset)];
        for (int i = 0; i < letters.Count; i++)
        {
            Expected expected = bad[i];
            Assert.Equal((expected.Offset, expected.Reason, expected.Field), (letters[i].Offset, letters[i].Reason, letters[i].Field));
            Assert.Equal(expected.Raw, letters[i].Raw);
            Assert.Equal(expected.Raw, fileBytes.AsSpan((int)expected.Offset, expected.Raw.Length).ToArray());

            // A partition whose range begins inside the file does not know its lines: its letters give the offset only.
            Assert.True(letters[i].Line == expected.Line || (parallelism > 1 && letters[i].Line == 0), $"letter at byte {expected.Offset}: line {letters[i].Line}, not {expected.Line}");
        }

        Assert.Equal(parallelism > 1, letters.Any(l => l.Line == 0));
        Assert.Contains(letters, l => l.Line > 0);

        // The progress records count the same lines, per field and reason.
        Assert.Equal(
            bad.GroupBy(b => (b.Field, b.Reason)).Select(g => (g.Key.Field, g.Key.Reason, (long)g.Count())).OrderBy(c => c.ToString(), StringComparer.Ordinal),
            progress.SelectMany(p => p.BadRecords).GroupBy(c => (c.Field, c.Reason)).Select(g => (g.Key.Field, g.Key.Reason, g.Sum(c => c.Count))).OrderBy(c => c.ToString(), StringComparer.Ordinal));
        Assert.Equal(bad.Count, progress.Sum(p => p.Malformed));
    }

    // The file sink's batches, each "(sensor,value)" per line, summed per sensor (a sensor holds no line break).
    private static Dictionary<string, long> ReadTotals(string directory)
    {
        var totals = new Dictionary<string, long>();
        foreach (string file in Directory.GetFiles(directory))
        {
            foreach (string line in File.ReadAllLines(file))
            {
                int comma = line.LastIndexOf(',');
                string key = line[1..comma];
                totals[key] = totals.GetValueOrDefault(key) + long.Parse(line[(comma + 1)..^1], CultureInfo.InvariantCulture);
            }
        }

        return totals;
    }
}
