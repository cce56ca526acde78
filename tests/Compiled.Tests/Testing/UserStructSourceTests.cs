using System.Globalization;
using System.Text;
using Compiled.Hosting;
using Compiled.Testing;
using Compiled.Tests.Connectors;
using Microsoft.Extensions.Time.Testing;

namespace Compiled.Tests.Testing;

/// <summary>A reading written "sensor:celsius", parsed from the line's bytes by its own <see cref="IUtf8SpanParsable{T}"/>.</summary>
public readonly record struct Reading(int Sensor, double Celsius) : IUtf8SpanParsable<Reading>
{
    public static Reading Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider) =>
        TryParse(utf8Text, provider, out Reading reading) ? reading : throw new FormatException("A reading is written sensor:celsius, as 7:21.5.");

    public static bool TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, out Reading result)
    {
        int colon = utf8Text.IndexOf((byte)':');
        if (colon > 0
            && int.TryParse(utf8Text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int sensor)
            && double.TryParse(utf8Text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double celsius))
        {
            result = new Reading(sensor, celsius);
            return true;
        }

        result = default;
        return false;
    }
}

/// <summary>The hottest reading per sensor in each batch, from a source of user structs.</summary>
[Pipeline]
public static partial class SensorPeaks
{
    [Source]
    public static partial Lines<Reading> Readings();

    [Map]
    public static (int Sensor, double Celsius) BySensor(Reading reading) => (reading.Sensor, reading.Celsius);

    [ReduceByKey]
    public static double Hottest(double a, double b) => Math.Max(a, b);

    [Sink]
    public static partial void Peaks((int Sensor, double Celsius) peak);
}

/// <summary>A source of the user's own struct: the test driver takes the structs as they are; a run parses lines into them.</summary>
public class UserStructSourceTests
{
    [Fact]
    public void TestDriver_TakesTheUsersStructs()
    {
        using var test = new SensorPeaks.TestDriver();
        test.Readings.Batch(new Reading(1, 20.5), new Reading(2, 18), new Reading(1, 22.25)).Batch().Batch(new Reading(2, -3.5));
        test.Run();

        Assert.Equal(
            [
                new OutputBatch<(int, double)>(1000, [(1, 22.25), (2, 18)]),
                new OutputBatch<(int, double)>(2000, []),
                new OutputBatch<(int, double)>(3000, [(2, -3.5)]),
            ],
            test.Peaks.Batches);
        Assert.Equal(4, test.Counters[0].Records);
    }

    [Fact]
    public async Task Run_ParsesEachLineWithTheStructsParser_AndCountsTheLinesItRejects()
    {
        using var temp = new TempDirectory();
        string input = temp.Write("readings.txt", "1:20.5\n2:18\nnot a reading\n1:22.25\n3:\r\n2:-3.5");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, 300, TimeSpan.Zero));
        var options = new PipelineRunOptions { TimeProvider = clock };
        options.SourceUris["Readings"] = $"file://{input}";
        options.SinkUris["Peaks"] = $"file://{temp.Path}/out/peaks?suffix=txt";
        await using var run = new PipelineRun(SensorPeaks.Definition, options);
        await run.RunToEndAsync(clock);

        string output = Encoding.UTF8.GetString(File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "out")))));
        Assert.Equal("(1,22.25)\n(2,18)\n", output);
        Assert.Equal(2, run.Sources[0].Counters.Malformed);
        Assert.Equal(6, run.Sources[0].Counters.Records);
    }
}
