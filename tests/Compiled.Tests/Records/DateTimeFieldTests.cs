using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text;
using Compiled.Connectors;
using Compiled.Framing;
using Compiled.Hosting;
using Compiled.Internal;
using Compiled.Tests.Connectors;
using Compiled.Testing;
using Compiled.Tests.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Records;

/// <summary>The latest reading of each sensor, from lines "sensor,time" whose time carries its offset.</summary>
[Pipeline]
public static partial class LatestReading
{
    [Source]
    public static partial Lines<(int Sensor, DateTimeOffset At)> Readings();

    [Map]
    public static (int Sensor, long UnixMs) ToUnixMs((int Sensor, DateTimeOffset At) reading) => (reading.Sensor, reading.At.ToUnixTimeMilliseconds());

    [ReduceByKey]
    public static long Latest(long a, long b) => Math.Max(a, b);

    [Sink]
    public static partial void Output((int Sensor, long UnixMs) latest);
}

/// <summary>Events counted by the UTC hour they happened in, from lines that are a date and time each.</summary>
[Pipeline]
public static partial class EventsPerHour
{
    [Source]
    public static partial Lines<DateTime> Events();

    [CountByValue]
    public static int Hour(DateTime at) => at.Kind == DateTimeKind.Utc ? at.Hour : -1;

    [Sink]
    public static partial void Output(int hour, long count);
}

/// <summary>
/// <see cref="DateTime"/> and <see cref="DateTimeOffset"/> fields of a typed source: ISO 8601 in the invariant culture,
/// parsed from the bytes without allocating; a line whose time is not one is counted as malformed, as for any field.
/// </summary>
public class DateTimeFieldTests
{
    public static TheoryData<string, string> Accepted => new()
    {
        { "2026-03-01", "2026-03-01T00:00:00.0000000+00:00" },
        { "2026-03-01T12:30", "2026-03-01T12:30:00.0000000+00:00" },
        { "2026-03-01T12:30:05", "2026-03-01T12:30:05.0000000+00:00" },
        { "2026-03-01T12:30:05.5", "2026-03-01T12:30:05.5000000+00:00" },
        { "2026-03-01T12:30:05.1234567", "2026-03-01T12:30:05.1234567+00:00" },
        { "2026-03-01T12:30:05Z", "2026-03-01T12:30:05.0000000+00:00" },
        { "2026-03-01T12:30Z", "2026-03-01T12:30:00.0000000+00:00" },
        { "2026-03-01T12:30:05.123+02:00", "2026-03-01T12:30:05.1230000+02:00" },
        { "2026-03-01T12:30:05-0530", "2026-03-01T12:30:05.0000000-05:30" },
        { "2026-03-01 12:30:05.25Z", "2026-03-01T12:30:05.2500000+00:00" },
        { " 2026-03-01T12:30:05Z\t", "2026-03-01T12:30:05.0000000+00:00" },
    };

    public static TheoryData<string> Rejected =>
    [
        "",
        "now",
        "2026-02-30",                    // no such day
        "2026-03-01T24:00:00",
        "2026-03-01T12:30:60",
        "2026-3-1",                      // month and day need two digits
        "20260301T123005Z",              // the basic form without separators
        "01/03/2026",
        "2026-03-01T12",                 // an hour needs its minutes
        "2026-03-01T12:30:05.12345678",  // more than seven digits of fraction
        "2026-03-01T12:30:05.",
        "2026-03-01T12:30:05+02",
        "2026-03-01T12:30:05 Z",
        "2026-03-01T12:30:05\u00a0",    // a no-break space is not ASCII white space
    ];

    [Theory]
    [MemberData(nameof(Accepted))]
    public void DateTimeOffset_ParsesIso8601(string text, string expected)
    {
        Assert.True(Utf8Parse.TryParse(Encoding.UTF8.GetBytes(text), out DateTimeOffset value));
        Assert.Equal(expected, value.ToString("O", CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void DateTime_ParsesIso8601_AsUtc(string text, string expected)
    {
        Assert.True(Utf8Parse.TryParse(Encoding.UTF8.GetBytes(text), out DateTime value));
        Assert.Equal(DateTimeKind.Utc, value.Kind);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture).UtcDateTime, value);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void DateTimeAndDateTimeOffset_RejectWhatIsNotIso8601(string text)
    {
        Assert.False(Utf8Parse.TryParse(Encoding.UTF8.GetBytes(text), out DateTime _));
        Assert.False(Utf8Parse.TryParse(Encoding.UTF8.GetBytes(text), out DateTimeOffset _));
    }

    [Fact]
    public void DateTime_IgnoresTheCurrentCulture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("th-TH"); // a Buddhist calendar: year 2026 would be 1483 there
            Assert.True(Utf8Parse.TryParse("2026-03-01T12:30:05Z"u8, out DateTime value));
            Assert.Equal(new DateTime(2026, 3, 1, 12, 30, 5, DateTimeKind.Utc), value);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void FieldTypes_NamesOnlyTypesUtf8ParseReads()
    {
        // The generator accepts and CMP0009 lists exactly FieldTypes; each must be a type Utf8Parse has a TryParse for.
        foreach (string[] type in FieldTypes.OwnParsers)
        {
            Type field = Type.GetType(type[0], throwOnError: true)!;
            MethodInfo? parse = typeof(Utf8Parse).GetMethod(nameof(Utf8Parse.TryParse), [typeof(ReadOnlySpan<byte>), field.MakeByRefType()]);
            Assert.True(parse is not null, $"Utf8Parse has no TryParse(ReadOnlySpan<byte>, out {type[1]})");
        }

        foreach (string[] type in FieldTypes.ParsableExamples)
        {
            Type field = Type.GetType(type[0], throwOnError: true)!;
            Assert.Contains(typeof(IUtf8SpanParsable<>).MakeGenericType(field), field.GetInterfaces());
        }
    }

    [Fact]
    public void DateTimeAndDateTimeOffset_ParseWithoutAllocating()
    {
        byte[][] fields = [.. new[] { "2026-03-01T12:30:05.123+02:00", "2026-03-01 12:30:05Z", "2026-03-01", "not a time", "2026-02-30" }.Select(Encoding.UTF8.GetBytes)];
        int parsed = 0;
        long allocated = AllocationMeter.LeastAllocated(() =>
        {
            parsed = 0;
            for (int i = 0; i < 10_000; i++)
            {
                byte[] field = fields[i % fields.Length];
                parsed += Utf8Parse.TryParse(field, out DateTime _) ? 1 : 0;
                parsed += Utf8Parse.TryParse(field, out DateTimeOffset _) ? 1 : 0;
            }
        });

        Assert.True(allocated == 0, $"Parsing 20,000 date and time fields allocated {allocated} bytes (the least of four runs); it must allocate nothing.");
        Assert.Equal(2 * 6_000, parsed); // in the last run, the three fields of five that are times, each read both ways
    }

    [Fact]
    public async Task Run_ParsesTimesWithTheirOffsets_AndCountsTheLinesWhoseTimeIsNotIso8601()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("readings.txt",
            "1,2026-03-01T12:00:00Z\n"
            + "2,2026-03-01T14:00:00+02:00\n"   // 12:00 UTC
            + "1,2026-03-01T12:00:01.5Z\n"
            + "2,01/03/2026 12:00\n"            // not ISO 8601: malformed
            + "3,2026-02-30T00:00:00Z\n"        // no such day: malformed
            + "3,2026-03-01\n");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Output"] = $"file://{temp.Path}/out/latest?suffix=txt";
        await using var run = new PipelineRun(LatestReading.Definition, options);
        await run.RunToEndAsync(clock);

        string output = File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out"))));
        Assert.Equal("(1,1772366401500)\n(2,1772366400000)\n(3,1772323200000)\n", output);
        Assert.Equal(2, run.Sources[0].Counters.Malformed);
        Assert.Equal(6, run.Sources[0].Counters.Records);
    }

    [Fact]
    public void TestDriver_CountsDateTimesByTheirUtcHour()
    {
        using var test = new EventsPerHour.TestDriver();
        test.Events.Batch(new DateTime(2026, 3, 1, 7, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 1, 7, 59, 0, DateTimeKind.Utc));
        test.Run();
        Assert.Equal([new OutputBatch<(int, long)>(1000, [(7, 2)])], test.Output.Batches);
    }

    [Fact]
    public void Job_ParsingDateTimeFields_AllocatesNothingPerRecord()
    {
        // 10,000 lines of 50 sensors, one in ten of them malformed, read into (int, DateTimeOffset) and reduced per sensor.
        var text = new StringBuilder();
        for (int line = 0; line < 10_000; line++)
        {
            text.Append(line % 50).Append(',').Append(line % 10 == 9
                ? "yesterday"
                : new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(line % 5)).AddMilliseconds(line).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
            text.Append('\n');
        }

        ReadOnlySequence<byte> buffer = Segments.Split(Encoding.ASCII.GetBytes(text.ToString()), 64 * 1024);
        var sink = new DiscardingSink();
        var counters = new SourceCounters();
        using PipelineJob job = LatestReading.Definition.CreateJob(new JobContext([FramingOptions.Default], [counters], [sink]));
        long allocated = JobBatches.LeastAllocated(job, buffer, out bool consumedAll, batchesPerRun: 10);

        Assert.True(consumedAll);
        // Two warm-up batches, then four runs of ten (see JobBatches).
        Assert.Equal(42 * 1_000, counters.Malformed);
        Assert.Equal(42 * 45, sink.Records); // sensors 9, 19, 29, 39 and 49 have only malformed lines
        Assert.True(allocated == 0, $"100,000 lines in 10 batches allocated {allocated} bytes (the least of four runs); parsing a time must allocate nothing.");
    }
}
