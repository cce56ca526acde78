namespace Compiled.Tests.Records.DeadLetters;

/// <summary>A sensor's reading as a JSON event, its scale nested; bad lines are counted and skipped unless the source says otherwise.</summary>
[Record(Format = RecordFormat.Json)]
public partial struct JsonReading
{
    [Column("sensor")]
    public Utf8Text Sensor;

    [Column("value")]
    public long Value;

    [Column("meta.scale")]
    public int Scale;
}

/// <summary>Scaled values per sensor from JSON lines; the source sends a line that does not parse to the dead-letter file.</summary>
[Pipeline]
public static partial class JsonScaledPerSensor
{
    [Source(OnBadRecord = BadRecordPolicy.DeadLetter)]
    public static partial Lines<JsonReading> Readings();

    [Map]
    public static KeyValue<long> Scaled(JsonReading reading) => new(reading.Sensor.Span, reading.Value * reading.Scale);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> sensor, long value);
}
