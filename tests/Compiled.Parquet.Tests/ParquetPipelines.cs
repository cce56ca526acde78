namespace Compiled.Parquet.Tests;

/// <summary>A quote as a CSV export writes it: text, a decimal, integers, an enum, a time, a double, and two members that may be missing.</summary>
[Record]
public partial struct Quote
{
    /// <summary>The instrument.</summary>
    [Column("symbol")]
    public Utf8Text Symbol;

    /// <summary>The price.</summary>
    [Column("price")]
    public decimal Price;

    /// <summary>How many.</summary>
    [Column("qty")]
    public long Quantity;

    /// <summary>Bid or offer.</summary>
    [Column("side")]
    public Side Side;

    /// <summary>When, in UTC.</summary>
    [Column("time")]
    public DateTime Time;

    /// <summary>A model's score.</summary>
    [Column("score")]
    public double Score;

    /// <summary>The venue, 0 when the field is empty.</summary>
    [Column("venue", Default = "0")]
    public int Venue;

    /// <summary>A free-text note.</summary>
    [Column("note")]
    public string Note;
}

/// <summary>Quotes copied as they are read: a sink whose record is a [Record] struct, written column by column.</summary>
[Pipeline]
public static partial class CopyQuotes
{
    /// <summary>The quotes, from a CSV file.</summary>
    [Source]
    public static partial Lines<Quote> Quotes();

    /// <summary>Each quote as a row.</summary>
    [Sink(Default = "parquet:///tmp/quotes/part")]
    public static partial void Output(Quote quote);
}

/// <summary>Spark's word count: a reduceByKey pair stream, each batch's (word, count) pairs as rows of key and value.</summary>
[Pipeline]
public static partial class WordCounts
{
    /// <summary>Lines of text.</summary>
    [Source]
    public static partial Lines Input();

    /// <summary>The words of a line.</summary>
    [FlatMap]
    public static Utf8Words Words(ReadOnlySpan<byte> line) => new(line, (byte)' ');

    /// <summary>(word, 1).</summary>
    [Map]
    public static KeyValue<long> Pair(ReadOnlySpan<byte> word) => new(word, 1);

    /// <summary>Each word's count in the batch.</summary>
    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Rows of key and value.</summary>
    [Sink]
    public static partial void Output(ReadOnlySpan<byte> word, long count);
}

/// <summary>Lines copied as they are: any bytes, written as UTF-8 strings of one column, value.</summary>
[Pipeline]
public static partial class CopyLines
{
    /// <summary>Lines of a file.</summary>
    [Source]
    public static partial Lines Input();

    /// <summary>Each line as a row.</summary>
    [Sink]
    public static partial void Output(ReadOnlySpan<byte> line);
}

/// <summary>A pair whose value is a named tuple with a nullable member: its columns are key, value.Sum and value.Max.</summary>
[Pipeline]
public static partial class SumAndMax
{
    /// <summary>"key,amount" lines.</summary>
    [Source]
    public static partial Lines Input();

    /// <summary>(key, (amount, amount or none when negative)).</summary>
    [Map]
    public static (int Key, (long Sum, int? Max) Value) Parse(ReadOnlySpan<byte> line)
    {
        int comma = line.IndexOf((byte)',');
        int key = int.Parse(line[..comma], System.Globalization.CultureInfo.InvariantCulture);
        int amount = int.Parse(line[(comma + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return (key, (amount, amount < 0 ? null : amount));
    }

    /// <summary>The sum, and the largest non-negative amount.</summary>
    [ReduceByKey]
    public static (long Sum, int? Max) Add((long Sum, int? Max) a, (long Sum, int? Max) b) =>
        (a.Sum + b.Sum, a.Max is null ? b.Max : b.Max is null ? a.Max : Math.Max(a.Max.Value, b.Max.Value));

    /// <summary>Rows of key, value.Sum and value.Max.</summary>
    [Sink]
    public static partial void Output(int key, (long Sum, int? Max) value);
}

/// <summary>Clicks per user per event-time minute, from "millis user" lines: a windowed sink, whose rows carry the window's start and end.</summary>
[Pipeline]
public static partial class ClicksPerMinute
{
    /// <summary>"millis user" lines.</summary>
    [Source]
    public static partial Lines Input();

    /// <summary>The click's time.</summary>
    [EventTime(Lateness = "0s")]
    public static long Timestamp(ReadOnlySpan<byte> line) => long.Parse(line[..line.IndexOf((byte)' ')], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>(user, 1).</summary>
    [Map]
    public static KeyValue<long> PerUser(ReadOnlySpan<byte> line) => new(line[(line.IndexOf((byte)' ') + 1)..], 1);

    /// <summary>Each user's clicks per minute.</summary>
    [EventWindow(Size = "1m")]
    public static long Clicks(long a, long b) => a + b;

    /// <summary>Rows of start, end, key and value.</summary>
    [Sink]
    public static partial void Output(Windowed<long> clicks);
}
