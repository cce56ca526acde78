using Compiled;

namespace Sensors;

/// <summary>A typed source: "sensor,celsius" lines parsed into tuples; a histogram of whole degrees per batch.</summary>
[Pipeline(BatchInterval = "5s")]
public static partial class Readings
{
    [Source(Default = "tcp://localhost:7000")]
    public static partial Lines<(string Sensor, double Celsius)> Input();

    [Filter]
    public static bool Plausible(string sensor, double celsius) => celsius is > -90 and < 60;

    [Map]
    public static int Rounded(string sensor, double celsius) => (int)Math.Round(celsius);

    [CountByValue]
    public static int Degrees(int rounded) => rounded;

    [Sink(Default = "console")]
    public static partial void Histogram(int degrees, long count);
}
