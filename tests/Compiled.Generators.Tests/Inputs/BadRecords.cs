using Compiled;

namespace Orders;

/// <summary>An order line of a CSV export; a row that does not parse goes to the dead-letter file.</summary>
[Record(OnBadRecord = BadRecordPolicy.DeadLetter)]
public partial struct Order
{
    public long Id;

    public Utf8Text Sku;

    public decimal Price;

    public string Note;
}

/// <summary>Revenue per SKU word; stages that throw on one order skip it or send it to the dead-letter file.</summary>
[Pipeline(OnError = BadRecordPolicy.Skip)]
public static partial class Revenue
{
    [Source(Default = "file:///data/orders.csv")]
    public static partial Lines<Order> Orders();

    [Filter(OnError = BadRecordPolicy.DeadLetter)]
    public static bool Priced(Order order) => order.Price > 0m ? true : throw new ArgumentException("no price");

    [Map]
    public static Order WithNote(Order order) => order.Note.Length > 0 ? order : throw new FormatException("no note");

    [FlatMap(OnError = BadRecordPolicy.Fail)]
    public static Utf8Words Words(Order order) => new(order.Sku.Span, (byte)'-');

    [Map(OnError = BadRecordPolicy.DeadLetter)]
    public static KeyValue<long> Cents(ReadOnlySpan<byte> word) => new(word, word.Length > 8 ? throw new OverflowException("long word") : word.Length * 100L);

    [FlatMapValues(OnError = BadRecordPolicy.DeadLetter)]
    public static long[] Split(long cents) => cents > 500 ? [cents / 2, cents - (cents / 2)] : cents >= 0 ? [cents] : throw new OverflowException("negative");

    [ReduceByKey]
    public static long Add(long a, long b) => a + b;

    /// <summary>Runs at the batch boundary, on the reduced records: guarded, counted under the batch.</summary>
    [Map(OnError = BadRecordPolicy.Skip)]
    public static KeyValue<long> Dollars(KeyValue<long> pair) => new(pair.Key, pair.Value / 100);

    /// <summary>At the batch boundary too, taking the pipeline's policy.</summary>
    [MapValues]
    public static long Whole(long dollars) => dollars >= 0 ? dollars : throw new OverflowException("negative");

    [Sink(Default = "console")]
    public static partial void Output(ReadOnlySpan<byte> word, long cents);
}

/// <summary>Totals per customer from lines of two numbers; a line that does not parse goes to the dead-letter file.</summary>
[Pipeline]
public static partial class CustomerTotals
{
    [Source(Default = "tcp://localhost:7000", OnBadRecord = BadRecordPolicy.DeadLetter)]
    public static partial Lines<(int Customer, long Cents)> Orders();

    [ReduceByKey]
    public static long Sum(long a, long b) => a + b;

    [Sink(Default = "console")]
    public static partial void Output(int customer, long cents);
}
