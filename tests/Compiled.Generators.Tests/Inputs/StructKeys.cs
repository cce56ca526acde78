using Compiled;

namespace Shop;

/// <summary>Struct keys: the total of each customer's order amounts per batch, then the number of customers per total.</summary>
[Pipeline(BatchInterval = "2m")]
internal static partial class CustomerTotals
{
    [Source]
    internal static partial Lines Orders();

    // "customerId,amount"
    [Map]
    internal static (int Customer, decimal Amount) Parse(ReadOnlySpan<byte> line)
    {
        int comma = line.IndexOf((byte)',');
        return (int.Parse(line[..comma]), decimal.Parse(line[(comma + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [ReduceByKey]
    internal static decimal Sum(decimal a, decimal b) => a + b;

    [Sink(Default = "console")]
    internal static partial void Totals((int Customer, decimal Amount) total);

    [CountByValue(Input = nameof(Sum))]
    internal static decimal Amount(int customer, decimal amount) => amount;

    [Sink(Default = "console")]
    internal static partial void CustomersPerTotal(decimal amount, long customers);
}
