namespace Compiled.Tests.Records.DeadLetters;

/// <summary>A sensor's reading in a CSV export; a row that does not parse goes to the dead-letter file.</summary>
[Record(OnBadRecord = BadRecordPolicy.DeadLetter)]
public partial struct Reading
{
    [Column("sensor")]
    public Utf8Text Sensor;

    [Column("value")]
    public long Value;

    [Column("scale")]
    public int Scale;
}

/// <summary>The same reading, whose rows that do not parse are counted and skipped (the default).</summary>
[Record]
public partial struct CountedReading
{
    [Column("sensor")]
    public Utf8Text Sensor;

    [Column("value")]
    public long Value;

    [Column("scale")]
    public int Scale;
}

/// <summary>
/// Scaled values per sensor; a reading whose scale is 0 makes the map throw, and goes to the dead-letter file. The
/// README's example of "Bad records and dead letters", as written there.
/// </summary>
[Pipeline(OnError = BadRecordPolicy.Skip)]
public static partial class ScaledPerSensor
{
    [Source(Default = "file:///data/readings.csv")]
    public static partial Lines<Reading> Readings();

    [Map(OnError = BadRecordPolicy.DeadLetter)]                       // a scale of 0 throws DivideByZeroException
    public static KeyValue<long> PerUnit(Reading r) => new(r.Sensor.Span, r.Value / r.Scale);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> sensor, long value);
}

/// <summary>The same, with every guarded stage skipping by the pipeline's default; a filter throws on negative values.</summary>
[Pipeline(OnError = BadRecordPolicy.Skip)]
public static partial class SkippedPerSensor
{
    [Source]
    public static partial Lines<CountedReading> Readings();

    [Filter]
    public static bool Positive(CountedReading reading) => reading.Value >= 0 ? true : throw new ArgumentOutOfRangeException(nameof(reading), "a negative reading");

    [Map]
    public static KeyValue<long> PerUnit(CountedReading reading) => new(reading.Sensor.Span, reading.Value / reading.Scale);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> sensor, long value);
}

/// <summary>The same, failing at the first reading the map throws on.</summary>
[Pipeline]
public static partial class FailingPerSensor
{
    [Source]
    public static partial Lines<CountedReading> Readings();

    [Map(OnError = BadRecordPolicy.Fail)]
    public static KeyValue<long> PerUnit(CountedReading reading) => new(reading.Sensor.Span, reading.Value / reading.Scale);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> sensor, long value);
}

/// <summary>Counts the rows of levels; the first bad row stops the job (<c>Strict</c> declares Fail).</summary>
[Pipeline]
public static partial class StrictRows
{
    [Source]
    public static partial Lines<Compiled.Tests.Records.Csv.Strict> Levels();

    [Count]
    public static partial long Rows(Compiled.Tests.Records.Csv.Strict level);

    [Sink]
    public static partial void Output(long rows);
}

/// <summary>Cents per customer from lines of two numbers; a line that does not parse goes to the dead-letter file.</summary>
[Pipeline]
public static partial class CentsPerCustomer
{
    [Source(OnBadRecord = BadRecordPolicy.DeadLetter)]
    public static partial Lines<(int Customer, long Cents)> Orders();

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Output(int customer, long cents);
}

/// <summary>Cents per customer, each order's cents divided by its cents modulo 997: an order of a multiple of 997 cents throws.</summary>
[Pipeline(OnError = BadRecordPolicy.DeadLetter)]
public static partial class GuardedCentsPerCustomer
{
    [Source(OnBadRecord = BadRecordPolicy.DeadLetter)]
    public static partial Lines<(int Customer, long Cents)> Orders();

    [Map]
    public static (int Customer, long Cents) Scaled(int customer, long cents) => (customer, cents / (cents % 997));

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Output(int customer, long cents);
}

/// <summary>Values per sensor, where the stage below the reduce throws on one sensor's total: that total is skipped.</summary>
[Pipeline]
public static partial class OpenSensors
{
    [Source]
    public static partial Lines<CountedReading> Readings();

    [Map]
    public static KeyValue<long> BySensor(CountedReading reading) => new(reading.Sensor.Span, reading.Value);

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [Map(OnError = BadRecordPolicy.Skip)]
    public static KeyValue<long> Open(KeyValue<long> total) => total.Key.SequenceEqual("west"u8) ? throw new InvalidOperationException("west is closed") : total;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> sensor, long value);
}

/// <summary>
/// Guarded value stages: a per-mille of each reading's scale (a scale of 0 throws, dead-lettered), split in two halves
/// (a per-mille over 500 throws, skipped), summed per sensor, and a total of 10,000 or more refused at the batch boundary.
/// </summary>
[Pipeline]
public static partial class GuardedValues
{
    [Source]
    public static partial Lines<CountedReading> Readings();

    [Map]
    public static KeyValue<int> ScaleOf(CountedReading reading) => new(reading.Sensor.Span, reading.Scale);

    [MapValues(OnError = BadRecordPolicy.DeadLetter)]
    public static long PerMille(int scale) => 1000 / scale;

    [FlatMapValues(OnError = BadRecordPolicy.Skip)]
    public static long[] Halves(long perMille) =>
        perMille > 500 ? throw new InvalidOperationException("a per-mille over 500 is not split") : [perMille / 2, perMille - (perMille / 2)];

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    [MapValues(OnError = BadRecordPolicy.Skip)]
    public static long Capped(long total) => total >= 10_000 ? throw new OverflowException("a total of 10,000 or more") : total;

    [Sink]
    public static partial void Output(ReadOnlySpan<byte> sensor, long total);
}

/// <summary>Cents per customer from lines of two numbers, declaring no policy: a line that does not parse is counted and skipped.</summary>
[Pipeline]
public static partial class PlainCentsPerCustomer
{
    [Source]
    public static partial Lines<(int Customer, long Cents)> Orders();

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink]
    public static partial void Output(int customer, long cents);
}

/// <summary>The lines of a file as they are, counted: nothing is parsed, so nothing is refused.</summary>
[Pipeline]
public static partial class RawLines
{
    [Source]
    public static partial Lines Input();

    [Count]
    public static partial long Lines(ReadOnlySpan<byte> line);

    [Sink]
    public static partial void Output(long lines);
}
