using Compiled.Tests.Records.Csv;

namespace Compiled.Tests.Records.Writers;

/// <summary>Trades copied as they are read: a sink whose record is a [Record] struct, written by its columns.</summary>
[Pipeline]
public static partial class CopyTrades
{
    [Source]
    public static partial Lines<Trade> Trades();

    [Sink]
    public static partial void Output(Trade trade);
}

/// <summary>Ticks copied as they are read: numbers and a slice, what the allocation test writes as CSV and JSON.</summary>
[Pipeline]
public static partial class CopyTicks
{
    [Source]
    public static partial Lines<Tick> Ticks();

    [Sink]
    public static partial void Output(Tick tick);
}

/// <summary>Every line to one console sink, and the alerts among them to another: two blocks per batch on one standard output.</summary>
[Pipeline]
public static partial class TwoConsoles
{
    [Source]
    public static partial Lines Input();

    [Sink(Input = nameof(Input), Default = "console")]
    public static partial void All(ReadOnlySpan<byte> line);

    [Filter(Input = nameof(Input))]
    public static bool IsAlert(ReadOnlySpan<byte> line) => line.StartsWith("ALERT"u8);

    [Sink(Default = "console")]
    public static partial void Alerts(ReadOnlySpan<byte> line);
}

/// <summary>A pair named (Key, Value) whose value is a named tuple: CSV flattens it to Key,Value.Sum,Value.Count; JSON nests it.</summary>
[Pipeline]
public static partial class SumAndCount
{
    [Source]
    public static partial Lines Input();

    [Map]
    public static (int Key, (long Sum, int Count) Value) Parse(ReadOnlySpan<byte> line)
    {
        int comma = line.IndexOf((byte)',');
        return (int.Parse(line[..comma], System.Globalization.CultureInfo.InvariantCulture), (long.Parse(line[(comma + 1)..], System.Globalization.CultureInfo.InvariantCulture), 1));
    }

    [ReduceByKey]
    public static (long Sum, int Count) Add((long Sum, int Count) a, (long Sum, int Count) b) => (a.Sum + b.Sum, a.Count + b.Count);

    [Sink]
    public static partial void Output(int key, (long Sum, int Count) value);
}

/// <summary>A symbol's total as a keyed sink's CSV writes it (key,value, with a header): how the pipeline test reads the files back.</summary>
[Record]
public partial struct SymbolTotal
{
    [Column("key")]
    public Utf8Text Symbol;

    [Column("value")]
    public long Quantity;
}

/// <summary>Clicks per user per event-time minute, from "millis user" lines: a windowed sink, whose rows carry the window's start and end.</summary>
[Pipeline]
public static partial class ClicksPerMinute
{
    [Source]
    public static partial Lines Input();

    [EventTime(Lateness = "0s")]
    public static long Timestamp(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    [EventWindow(Size = "1m")]
    public static long Clicks(long a, long b) => a + b;

    [Sink]
    public static partial void Output(Windowed<long> clicks);
}

/// <summary>A record of one text column and no header: a row of one empty field must not become an empty line.</summary>
[Record(Header = RecordHeader.None)]
public partial struct OneText
{
    public string Text;
}
